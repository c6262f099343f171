package dev.duplex.persistence;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL cluster under {@code <home>/db}: created with {@code initdb} (password
 * authentication, the superuser's password from its 0600 file) and started with
 * {@code pg_ctl -w start}, listening only on a Unix socket in a 0700 folder, never on TCP.
 *
 * <p>PostgreSQL refuses to run as root. As root, initdb and pg_ctl run under
 * {@code unshare -U}: in a new user namespace with no uid mapping the programs see themselves
 * as an unprivileged user while the files they create stay root's, so nothing is chown-ed to
 * another account.
 */
final class Cluster {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);
    /** The socket is named after the port ({@code .s.PGSQL.5432}); there is no TCP listener to collide with. */
    static final int PORT = 5432;
    static final String SUPERUSER = "postgres";
    static final String SETTINGS_FILE = "duplex.conf";
    /**
     * Connections the embedded server accepts: a fleet's pool (its in-flight pairs + 10), a
     * server's, and commands alongside; PostgreSQL's 100 would cut a fleet of 200 in flight.
     */
    static final int MAX_CONNECTIONS = 300;
    static final String HBA = "# Written by Duplex: local socket only, passwords (scram-sha-256) for every role.\n"
            + "local all all scram-sha-256\n";
    /** sun_path holds 108 bytes with the terminating NUL. */
    private static final int MAX_SOCKET_PATH = 107;
    private static final long START_TIMEOUT_SECONDS = 60;

    private final Path home;
    private final Path folder;
    private final PostgresBinaries binaries;

    Cluster(Path home, Path folder) {
        this.home = home;
        this.folder = folder;
        this.binaries = new PostgresBinaries(home, folder.resolve("bin"));
    }

    Path data() {
        return folder.resolve("data");
    }

    Path log() {
        return folder.resolve("postgres.log");
    }

    /**
     * The folder of the socket: {@code <home>/db/run}, or, when that path is too long for a
     * socket, a 0700 folder of this user's under /tmp named after the db folder. (Failing instead
     * would make a deep DUPLEX_HOME unusable; the folder is created exclusively and checked, so
     * another user cannot hold it for us.)
     */
    Path socketFolder() throws IOException {
        Path run = folder.resolve("run");
        if (socketPath(run).toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
            return PrivateFiles.folder(run);
        }
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Path short_ = Path.of("/tmp", "duplex-" + uid + "-" + HexFormat.of().formatHex(sha256(folder.toString()), 0, 6));
        try {
            Files.createDirectory(short_, PrivateFiles.folderMode());
        } catch (java.nio.file.FileAlreadyExistsException e) {
            var attributes = PrivateFiles.attributes(short_);
            if (!attributes.isDirectory() || !attributes.owner().equals(PrivateFiles.currentUser(short_))
                    || !attributes.permissions().equals(PrivateFiles.FOLDER)) {
                throw new DatabaseException("The socket folder " + short_ + " (used because " + run + " is too long a path for a "
                        + "socket) is " + PrivateFiles.describe(short_, attributes) + "; delete it, or use a shorter DUPLEX_HOME", null);
            }
        }
        return short_;
    }

    static Path socketPath(Path socketFolder) {
        return socketFolder.resolve(".s.PGSQL." + PORT);
    }

    boolean initialized() {
        return Files.isRegularFile(data().resolve("PG_VERSION"), LinkOption.NOFOLLOW_LINKS);
    }

    /** True when pg_hba.conf is not Duplex's (an older Duplex wrote {@code trust} for everyone). */
    boolean needsAuthenticationRepair() throws IOException {
        Path hba = data().resolve("pg_hba.conf");
        return !Files.isRegularFile(hba) || !Files.readString(hba, StandardCharsets.UTF_8).equals(HBA);
    }

    void writeHba() throws IOException {
        PrivateFiles.write(data().resolve("pg_hba.conf"), HBA);
    }

    /**
     * Runs initdb into a temporary sibling of the data folder and renames it into place when it
     * succeeded, so that a failed or killed initdb never leaves a data folder that looks usable.
     */
    void initialize(Path superuserPasswordFile) throws IOException {
        Path installation = binaries.installation();
        Path temporary = folder.resolve("data.init");
        PrivateFiles.deleteTree(temporary);
        run("initdb", List.of(binaries.program(installation, "initdb").toString(), "-D", temporary.toString(), "-U", SUPERUSER,
                "--auth=scram-sha-256", "--pwfile=" + superuserPasswordFile, "-E", "UTF8", "--no-locale", "--no-instructions"));
        Path conf = temporary.resolve("postgresql.conf");
        Files.writeString(conf, Files.readString(conf, StandardCharsets.UTF_8) + includeLine(), StandardCharsets.UTF_8);
        PrivateFiles.write(temporary.resolve("pg_hba.conf"), HBA);
        Files.move(temporary, data(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String includeLine() {
        return "\n# Duplex's settings (socket only, no TCP), rewritten at every start\ninclude_if_exists = '" + SETTINGS_FILE + "'\n";
    }

    /** Starts the server with Duplex's settings (socket in {@code socketFolder}, no TCP) and waits until it accepts connections. */
    void start(Path socketFolder) throws IOException {
        Path installation = binaries.installation();
        Path conf = data().resolve("postgresql.conf");
        String current = Files.readString(conf, StandardCharsets.UTF_8);
        if (!current.contains("include_if_exists = '" + SETTINGS_FILE + "'")) {
            Files.writeString(conf, current + includeLine(), StandardCharsets.UTF_8); // a cluster from an older Duplex
        }
        PrivateFiles.write(data().resolve(SETTINGS_FILE), """
                # Written by Duplex at every start of the embedded PostgreSQL.
                listen_addresses = ''
                port = %d
                unix_socket_directories = '%s'
                unix_socket_permissions = 0700
                password_encryption = 'scram-sha-256'
                synchronous_commit = on
                max_connections = %d
                """.formatted(PORT, socketFolder.toString().replace("'", "''"), MAX_CONNECTIONS));
        Files.deleteIfExists(socketPath(socketFolder));
        // the server appends to postgres.log for as long as it runs: rotate it while nothing holds it open
        LogGenerations.POSTGRES.rotate(log());
        run("pg_ctl start", List.of(binaries.program(installation, "pg_ctl").toString(), "-D", data().toString(), "-l", log().toString(),
                "-w", "-t", Long.toString(START_TIMEOUT_SECONDS), "-s", "start"));
    }

    /** Runs a PostgreSQL program (under {@code unshare -U} as root) with its output appended to postgres.log. */
    private void run(String what, List<String> program) throws IOException {
        List<String> command = new ArrayList<>();
        if (PrivateFiles.runningAsRoot()) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(program);
        PrivateFiles.touch(log());
        long offset = Files.size(log());
        Files.writeString(log(), "== " + Instant.now() + " duplex runs " + what + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.appendTo(log().toFile()))
                .redirectInput(Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("LC_ALL", "C");
        log.debug("Running {}", command);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new DatabaseException("Cannot run " + command.get(0) + " for the embedded PostgreSQL: " + e.getMessage()
                    + (command.get(0).equals("unshare") ? "; as root Duplex needs unshare (util-linux) to run PostgreSQL" : ""), e);
        }
        try {
            if (!process.waitFor(START_TIMEOUT_SECONDS + 30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new DatabaseException(what + " did not finish within " + (START_TIMEOUT_SECONDS + 30) + " s; see " + log(), null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new DatabaseException("Interrupted while running " + what + "; see " + log(), e);
        }
        if (process.exitValue() != 0) {
            String reason = reason(offset);
            if (reason.contains("No space left on device")) {
                throw new DatabaseException(what + " failed in " + folder + ": no space left on device (" + reason + "); free some space "
                        + "there and retry; see " + log(), null);
            }
            throw new DatabaseException(what + " failed (exit " + process.exitValue() + "): " + reason + "; see " + log(), null);
        }
    }

    /** The most telling line the failed program (or the server it started) wrote after {@code offset}. */
    private String reason(long offset) throws IOException {
        List<String> lines = new ArrayList<>();
        try (RandomAccessFile file = new RandomAccessFile(log().toFile(), "r")) {
            file.seek(offset);
            byte[] bytes = new byte[(int) Math.min(file.length() - offset, 1 << 20)];
            file.readFully(bytes);
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("== ")) {
                    lines.add(line.strip());
                }
            }
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            if (line.contains("FATAL") || line.contains("PANIC") || line.contains("ERROR") || line.contains("No space left")) {
                return line;
            }
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).startsWith("Examine the log output") && !lines.get(i).contains("stopped waiting")) {
                return lines.get(i);
            }
        }
        return "no output";
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Cluster[" + data() + " by " + home + "]";
    }
}
