package dev.duplex.persistence;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL under {@code <home>/db}, shared by every Duplex process on the machine.
 *
 * <p><b>Who can reach it.</b> Only this OS user: the server listens on no TCP address, only on a
 * Unix socket in a 0700 folder ({@code db/run}), and every role logs in with a password
 * (scram-sha-256). The superuser's password ({@code db/superuser.password}, 0600) is used to
 * create the database and the application role and to migrate the schema; everything else
 * connects as {@link ApplicationRole} with its own password ({@code db/app.password}, 0600).
 * Every file and folder under {@code db} is this user's and writable by no one else, and the
 * PostgreSQL programs are checked for that before each run ({@link PostgresBinaries}).
 *
 * <p><b>How processes share it.</b> PostgreSQL is started through {@code pg_ctl}, which runs the
 * server as a daemon, so the server does not die with the process that started it. Each process
 * that uses the server holds a {@link Lease} (a locked file the OS releases when the process
 * ends, however it ends). Start, join and stop decisions are made under one exclusive
 * {@link FolderLock}:
 * <ul>
 *   <li>start: if a postmaster runs on the data folder (its pid lives and its socket answers),
 *       join it; otherwise start one and record the starter and Duplex's build in
 *       {@code owner.properties}. A server another Duplex build started is restarted when no one
 *       uses it, and joined (with a warning in the log) while someone does;</li>
 *   <li>close: drop our lease. The last process to leave records when it left
 *       ({@link IdleDeadline}) and leaves the server up for {@code duplex.db.idle-stop}, so that the
 *       next command finds it running; the {@link IdleWatch} process stops it after that. With an
 *       idle time of zero, the last process to leave stops it itself.</li>
 * </ul>
 * So a CLI command run while the server or {@code duplex demo} runs just connects, the server
 * survives whichever process started it, and it stops when unused for the idle time, at
 * {@code duplex db stop}, or with the last user when no idle time is configured. A crashed process
 * leaves its lease behind with its life: the server is then idle as if it had exited.
 */
final class EmbeddedServer implements AutoCloseable {
    static final String DATABASE = "duplex";
    static final String USER = ApplicationRole.NAME;
    private static final Logger log = LoggerFactory.getLogger(EmbeddedServer.class);
    private static final Duration LOCK_WAIT = Duration.ofSeconds(120);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final Path folder;
    private final Postmaster postmaster;
    private final EmbeddedOwner owner;
    private final Lease lease;
    private final boolean startedHere;
    private final Duration idleStop;
    private final ClusterPasswords passwords;

    private EmbeddedServer(Path folder, Postmaster postmaster, EmbeddedOwner owner, Lease lease, boolean startedHere, Duration idleStop) {
        this.folder = folder;
        this.postmaster = postmaster;
        this.owner = owner;
        this.lease = lease;
        this.startedHere = startedHere;
        this.idleStop = idleStop;
        this.passwords = new ClusterPasswords(folder);
    }

    /**
     * Joins the embedded server running under {@code folder} (that is, {@code <home>/db}), or starts it.
     * When this process is the last to leave it, it stays up for {@code idleStop} (zero: it stops).
     */
    static EmbeddedServer startOrJoin(Path home, Path folder, Duration idleStop) {
        try {
            Path realHome = PrivateFiles.folderOfHome(home);
            // below a home reached through a link: every path from the real home down, as the checks walk it
            folder = realHome.resolve(home.toAbsolutePath().normalize().relativize(folder.toAbsolutePath().normalize()));
            home = realHome;
            PrivateFiles.folder(folder);
            Path lockFile = folder.resolve("owner.lock");
            try (FolderLock folderLock = FolderLock.acquire(lockFile, LOCK_WAIT)) {
                folderLock.held();
                // an older Duplex left these world-readable
                PrivateFiles.restrict(folder.resolve(EmbeddedOwner.FILE_NAME));
                PrivateFiles.restrict(folder.resolve("postgres.log"));
                PrivateFiles.restrict(folder.resolve(IdleDeadline.FILE_NAME));
                PrivateFiles.restrict(folder.resolve(IdleWatch.LOG_FILE));
                Lease lease = Lease.take(leases(folder));
                boolean started = false;
                Cluster cluster = new Cluster(home, folder);
                try {
                    refuseAnOlderServerOnTcp(cluster);
                    Optional<Postmaster> running = Postmaster.running(cluster.data());
                    Path dbFolder = folder;
                    Optional<EmbeddedOwner> recorded = running.flatMap(p -> EmbeddedOwner.read(dbFolder).filter(o -> o.postmasterPid() == p.pid()));
                    if (running.isPresent() && !recorded.map(o -> o.generation().equals(EmbeddedOwner.CURRENT)).orElse(false)) {
                        String by = recorded.map(o -> "Duplex build '" + o.generation() + "'").orElse("an unknown or older Duplex");
                        if (Lease.holders(leases(folder)) == 1) {
                            log.info("Restarting the embedded PostgreSQL (pid {}): {} started it, no one uses it", running.get().pid(), by);
                            stop(folder, running.get());
                            running = Optional.empty();
                        } else {
                            log.warn("Joining the embedded PostgreSQL (pid {}) that {} started, because other Duplex processes use it; "
                                    + "it is restarted once they are done", running.get().pid(), by);
                        }
                    }
                    EmbeddedOwner owner;
                    Postmaster postmaster;
                    if (running.isPresent()) {
                        postmaster = running.get();
                        owner = recorded.orElse(new EmbeddedOwner(-1, "unknown (owner.properties is missing)", postmaster.pid(),
                                postmaster.port(), Instant.EPOCH, ""));
                        log.debug("Joining the embedded PostgreSQL (pid {}) started by process {}", postmaster.pid(), owner.startedByPid());
                    } else {
                        started = true; // from here on, whatever fails stops what this call started
                        postmaster = start(cluster, folder);
                        ProcessHandle self = ProcessHandle.current();
                        owner = new EmbeddedOwner(self.pid(), self.info().command().orElse("?"), postmaster.pid(),
                                postmaster.port(), Instant.now(), EmbeddedOwner.CURRENT);
                        log.info("Started the embedded PostgreSQL (pid {}), data in {}, socket {}", postmaster.pid(), cluster.data(),
                                postmaster.socket());
                    }
                    EmbeddedServer server = new EmbeddedServer(folder, postmaster, owner, lease, started, idleStop);
                    if (started) {
                        // the database, the role and its grants: once per start, so that a join costs one connection
                        server.prepare();
                        owner.write(folder);
                    }
                    if (!idleStop.isZero()) {
                        // the idle time is known to the watcher even if this process is killed before it leaves
                        new IdleDeadline(Instant.now(), idleStop).write(folder);
                        IdleWatch.ensureRunning(folder);
                    }
                    return server;
                } catch (RuntimeException | IOException | SQLException e) {
                    lease.close();
                    if (started) {
                        // a server this call started (even one whose repair or preparation failed) must not stay up unleased
                        Postmaster.running(cluster.data()).ifPresent(p -> p.stopFast(STOP_WAIT));
                        EmbeddedOwner.delete(folder);
                        IdleDeadline.delete(folder);
                    }
                    throw e;
                }
            }
        } catch (DatabaseException e) {
            throw e;
        } catch (IOException | SQLException e) {
            String reason = PostgresBinaries.isNoSpace(e) ? "no space left on device (" + SqlErrors.firstLine(e.getMessage()) + ")"
                    : SqlErrors.firstLine(e.getMessage());
            throw new DatabaseException("Cannot start the embedded PostgreSQL in " + folder + ": " + reason
                    + "; see " + folder.resolve("postgres.log"), e);
        }
    }

    /** A server an older Duplex started listens on TCP with trust for everyone: it must go before this one runs. */
    private static void refuseAnOlderServerOnTcp(Cluster cluster) {
        Optional<Postmaster> recorded = Postmaster.recorded(cluster.data());
        if (recorded.isPresent() && !recorded.get().listenAddress().isEmpty()) {
            throw new DatabaseException("The embedded PostgreSQL (pid " + recorded.get().pid() + ") was started by an older Duplex and "
                    + "listens on TCP " + recorded.get().listenAddress() + ":" + recorded.get().port()
                    + " where any local user can reach it; stop it with 'duplex db stop' (or kill -INT " + recorded.get().pid()
                    + ") and retry", null);
        }
    }

    /**
     * Creates the cluster if needed and starts it. A cluster from an older Duplex (pg_hba.conf
     * trusting everyone) is started with its old rules, on the private socket only, to give the
     * superuser a password and switch pg_hba.conf to passwords before anyone else can connect.
     */
    private static Postmaster start(Cluster cluster, Path folder) throws IOException, SQLException {
        ClusterPasswords passwords = new ClusterPasswords(folder);
        Path socketFolder = cluster.socketFolder();
        if (!cluster.initialized()) {
            passwords.superuser(true);
            cluster.initialize(passwords.superuserFile());
        }
        boolean repair = cluster.needsAuthenticationRepair();
        Optional<String> superuser = passwords.superuser(repair);
        if (superuser.isEmpty()) {
            throw new DatabaseException("The embedded PostgreSQL's superuser password file " + passwords.superuserFile()
                    + " is missing; restore it from a backup, or move " + cluster.data() + " away to start with an empty database", null);
        }
        cluster.start(socketFolder);
        Postmaster postmaster = Postmaster.running(cluster.data()).orElseThrow(() -> new DatabaseException(
                "The embedded PostgreSQL started but its postmaster.pid names no live server; see " + cluster.log(), null));
        if (repair) {
            log.warn("The embedded PostgreSQL in {} trusted every local connection (an older Duplex); setting passwords and "
                    + "switching it to scram-sha-256", cluster.data());
            PGSimpleDataSource trusted = dataSource(postmaster, "postgres", Cluster.SUPERUSER, Optional.empty());
            try (var connection = trusted.getConnection(); var statement = connection.createStatement()) {
                statement.execute("SET password_encryption = 'scram-sha-256'");
                try (var quoted = connection.prepareStatement("SELECT quote_literal(?)")) {
                    quoted.setString(1, superuser.get());
                    try (var rows = quoted.executeQuery()) {
                        rows.next();
                        statement.execute("ALTER ROLE " + Cluster.SUPERUSER + " PASSWORD " + rows.getString(1));
                    }
                }
                cluster.writeHba();
                statement.execute("SELECT pg_reload_conf()");
            }
        }
        return postmaster;
    }

    /** The database, the application role with its password, and its privileges; on every start and join. */
    private void prepare() throws IOException, SQLException {
        ApplicationRole.create(superuserSource("postgres"), DATABASE, passwords.application());
        grantApplication();
    }

    /** Re-applies the application role's privileges (after a migration created tables). */
    void grantApplication() {
        try {
            ApplicationRole.grant(superuserSource(DATABASE));
        } catch (IOException | SQLException e) {
            throw new DatabaseException("Cannot grant the " + ApplicationRole.NAME + " role its privileges in the embedded PostgreSQL: "
                    + SqlErrors.firstLine(e.getMessage()) + "; see " + folder.resolve("postgres.log"), e);
        }
    }

    /** Connections as the application role (no superuser). */
    DataSource applicationSource() {
        try {
            return dataSource(postmaster, DATABASE, USER, Optional.of(passwords.application()));
        } catch (IOException e) {
            throw new DatabaseException("Cannot read " + passwords.applicationFile() + ": " + e.getMessage(), e);
        }
    }

    /** Connections as the superuser, for migrations only. */
    DataSource migrationSource() {
        try {
            return superuserSource(DATABASE);
        } catch (IOException e) {
            throw new DatabaseException("Cannot read " + passwords.superuserFile() + ": " + e.getMessage(), e);
        }
    }

    private DataSource superuserSource(String database) throws IOException {
        String password = passwords.superuser(false).orElseThrow(() -> new DatabaseException("The embedded PostgreSQL's superuser "
                + "password file " + passwords.superuserFile() + " is missing; restore it from a backup", null));
        return dataSource(postmaster, database, Cluster.SUPERUSER, Optional.of(password));
    }

    private static PGSimpleDataSource dataSource(Postmaster postmaster, String database, String user, Optional<String> password) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(url(postmaster.socket(), postmaster.port(), database));
        source.setUser(user);
        password.ifPresent(source::setPassword);
        source.setConnectTimeout(10);
        source.setLoginTimeout(10);
        source.setApplicationName("duplex");
        return source;
    }

    /** A JDBC URL that reaches {@code database} through the Unix socket {@code socket} (junixsocket); no secret in it. */
    static String url(Path socket, int port, String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database + "?socketFactory=org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg"
                + "&socketFactoryArg=" + URLEncoder.encode(socket.toString(), StandardCharsets.UTF_8);
    }

    /** The JDBC URL of the Duplex database; no secret in it (the passwords are in their files). */
    String jdbcUrl() {
        return url(postmaster.socket(), postmaster.port(), DATABASE);
    }

    EmbeddedServerStatus status() {
        int users;
        try {
            users = Lease.holders(leases(folder));
        } catch (IOException e) {
            users = -1;
        }
        Optional<Instant> stopsAt = idleStop.isZero() || users > 1 ? Optional.empty() : Optional.of(Instant.now().plus(idleStop));
        return new EmbeddedServerStatus(postmaster.pid(), postmaster.port(), postmaster.socket(), data(folder), owner, startedHere, users,
                idleStop, stopsAt);
    }

    /**
     * The embedded server under {@code folder} as it runs now, without joining it (so without
     * starting it or moving its idle deadline); empty when none runs.
     */
    static Optional<EmbeddedServerStatus> probe(Path folder) {
        if (!Files.isDirectory(folder)) {
            return Optional.empty();
        }
        try (FolderLock folderLock = FolderLock.acquire(folder.resolve("owner.lock"), LOCK_WAIT)) {
            folderLock.held();
            Optional<Postmaster> running = Postmaster.running(data(folder));
            if (running.isEmpty()) {
                return Optional.empty();
            }
            Postmaster postmaster = running.get();
            EmbeddedOwner owner = EmbeddedOwner.read(folder).filter(o -> o.postmasterPid() == postmaster.pid())
                    .orElse(new EmbeddedOwner(-1, "unknown (owner.properties is missing)", postmaster.pid(), postmaster.port(), Instant.EPOCH, ""));
            int users = Lease.holders(leases(folder));
            Optional<IdleDeadline> deadline = IdleDeadline.read(folder);
            Duration idle = deadline.map(IdleDeadline::idleStop).orElse(Duration.ZERO);
            Optional<Instant> stopsAt = users > 0 || !IdleWatch.running(folder) ? Optional.empty() : deadline.map(IdleDeadline::stopsAt);
            return Optional.of(new EmbeddedServerStatus(postmaster.pid(), postmaster.port(), postmaster.socket(), data(folder), owner, false,
                    users, idle, stopsAt));
        } catch (IOException e) {
            throw new DatabaseException("Cannot read the state of the embedded PostgreSQL in " + folder + ": " + e.getMessage(), e);
        }
    }

    /**
     * Drops this process's lease. The last process to leave records when, and leaves the server up
     * for the idle time (the watcher stops it then), or stops it when the idle time is zero.
     */
    @Override
    public void close() {
        try (FolderLock folderLock = FolderLock.acquire(folder.resolve("owner.lock"), LOCK_WAIT)) {
            folderLock.held();
            lease.close();
            int others = Lease.holders(leases(folder));
            if (others > 0) {
                log.debug("Leaving the embedded PostgreSQL running for {} other Duplex process(es)", others);
                return;
            }
            if (idleStop.isZero()) {
                stop(folder, postmaster);
                return;
            }
            if (!postmaster.alive()) {
                return; // stopped under us ('duplex db stop --force')
            }
            IdleDeadline deadline = new IdleDeadline(Instant.now(), idleStop);
            deadline.write(folder);
            IdleWatch.ensureRunning(folder);
            log.debug("Leaving the embedded PostgreSQL (pid {}) running until {} unless used again", postmaster.pid(), deadline.stopsAt());
        } catch (IOException e) {
            throw new DatabaseException("Cannot stop the embedded PostgreSQL in " + folder + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops the embedded server under {@code folder} ({@code duplex db stop}); returns false when
     * none runs. Unless {@code force}, refuses while Duplex processes use it (a command or job in
     * progress, a server), naming them.
     */
    static boolean stop(Path folder, boolean force) {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (FolderLock folderLock = FolderLock.acquire(folder.resolve("owner.lock"), LOCK_WAIT)) {
            folderLock.held();
            // a server an older Duplex started (on TCP) is stopped too: its socket may be gone
            Optional<Postmaster> running = Postmaster.running(data(folder))
                    .or(() -> Postmaster.recorded(data(folder)).filter(p -> !p.listenAddress().isEmpty()));
            if (running.isEmpty()) {
                EmbeddedOwner.delete(folder);
                IdleDeadline.delete(folder);
                return false;
            }
            if (!force) {
                List<Long> users = Lease.holderPids(leases(folder));
                if (!users.isEmpty()) {
                    throw new DatabaseInUseException("The embedded PostgreSQL in " + folder + " is in use by " + users.size()
                            + " Duplex process(es) (pid " + users.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                            + "); wait for them to finish, or stop it under them with 'duplex db stop --force'");
                }
            }
            stop(folder, running.get());
            return true;
        } catch (IOException e) {
            throw new DatabaseException("Cannot stop the embedded PostgreSQL in " + folder + ": " + e.getMessage(), e);
        }
    }

    private static void stop(Path folder, Postmaster postmaster) {
        log.info("Stopping the embedded PostgreSQL (pid {})", postmaster.pid());
        if (postmaster.alive()) {
            postmaster.stopFast(STOP_WAIT);
        }
        EmbeddedOwner.delete(folder);
        IdleDeadline.delete(folder);
    }

    static Path data(Path folder) {
        return folder.resolve("data");
    }

    static Path leases(Path folder) {
        return folder.resolve("leases");
    }
}
