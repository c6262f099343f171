package dev.duplex.persistence;

import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * Turns a failure to connect into one line that says where (URL redacted), why, and what to do.
 * The password never appears: PostgreSQL's own messages do not carry it and the URL is redacted.
 */
final class ConnectionFailures {
    private static final Pattern USER_INFO = Pattern.compile("([^\\s/:@]+):[^\\s@/]*@");

    private ConnectionFailures() {}

    static DatabaseException translate(SQLException failure, String redactedUrl, String user) {
        String state = failure.getSQLState() == null ? "" : failure.getSQLState();
        // a host name parsed from "user:password@host" may carry the password: mask it like a URL's
        String reason = USER_INFO.matcher(SqlErrors.firstLine(failure.getMessage())).replaceAll("$1:***@");
        if (state.equals("28P01")) {
            return new DatabaseUnavailableException("The database at " + redactedUrl + " refused user '" + user
                    + "': wrong password; check the file named by " + DatabaseConfig.PASSWORD_FILE_PROPERTY, failure);
        }
        if (state.startsWith("28")) {
            return new DatabaseUnavailableException("The database at " + redactedUrl + " refused user '" + user + "': " + reason
                    + "; check " + DatabaseConfig.USER_PROPERTY + " and the server's pg_hba.conf", failure);
        }
        if (state.equals("3D000")) {
            return new DatabaseUnavailableException("The database named in " + redactedUrl + " does not exist: " + reason
                    + "; create it (CREATE DATABASE) or fix " + DatabaseConfig.URL_PROPERTY, failure);
        }
        if (state.startsWith("08") || state.isEmpty()) {
            // pgjdbc appends its own advice about host names and the postmaster; ours replaces it
            String cause = reason.replaceFirst("\\s*Check that the hostname.*$", "").replaceFirst("\\.$", "");
            return new DatabaseUnavailableException("Cannot reach the database at " + redactedUrl + ": " + cause
                    + "; check that PostgreSQL runs there and that " + DatabaseConfig.URL_PROPERTY + " is right", failure);
        }
        return new DatabaseException("Cannot use the database at " + redactedUrl + ": " + reason + " (SQLState " + state + ")", failure);
    }
}
