package dev.duplex.persistence;

import java.sql.SQLException;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At DEBUG, every statement Duplex runs with how long it took. Only the SQL text is written, never
 * its bound values (they may hold token hashes or audit details).
 */
final class StatementLog implements SqlLogger {
    private static final Logger log = LoggerFactory.getLogger(StatementLog.class);

    @Override
    public void logAfterExecution(StatementContext context) {
        if (log.isDebugEnabled()) {
            log.debug("database call took {} ms: {}", context.getElapsedTime(ChronoUnit.MILLIS), oneLine(context.getRenderedSql()));
        }
    }

    @Override
    public void logException(StatementContext context, SQLException ex) {
        if (log.isDebugEnabled()) {
            log.debug("database call failed after {} ms ({}): {}", context.getElapsedTime(ChronoUnit.MILLIS), ex.getSQLState(),
                    oneLine(context.getRenderedSql()));
        }
    }

    private static String oneLine(String sql) {
        return sql == null ? "" : sql.replaceAll("\\s+", " ").strip();
    }
}
