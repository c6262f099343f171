package dev.duplex.persistence;

import static java.util.Map.entry;

import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.LiveJobExistsException;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The one place where PostgreSQL's refusals become the engine's exceptions: a unique, foreign-key
 * or check constraint named in the schema (V1__inventory.sql, V2__jobs.sql, ...) is turned into
 * {@link InventoryConflictException}, {@link NotInInventoryException},
 * {@link LiveJobExistsException} or {@link IllegalArgumentException}, with a message that names
 * the objects in conflict. Lost connections become {@link DatabaseUnavailableException}.
 */
final class SqlErrors {
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String FOREIGN_KEY_VIOLATION = "23503";
    private static final String CHECK_VIOLATION = "23514";
    private static final String NOT_NULL_VIOLATION = "23502";
    private static final String INVALID_TEXT = "22P02";
    private static final String LIVE_JOB_INDEX = "jobs_one_live_per_pair";
    private static final String VM_LOCK_KEY = "job_vm_locks_pkey";
    private static final Pattern KEY_DETAIL = Pattern.compile("Key \\((.+?)\\)=\\((.*)\\) ");

    /** Messages for unique constraints; {@code %s} is the duplicated key. */
    private static final Map<String, String> UNIQUE_MESSAGES = Map.ofEntries(
            entry("endpoints_pkey", "An endpoint named '%s' already exists"),
            entry("images_pkey", "An image named '%s' already exists"),
            entry("volumes_pkey", "A volume named '%s' already exists"),
            entry("vms_pkey", "A VM named '%s' already exists"),
            entry("pairs_pkey", "A pair named '%s' already exists"),
            entry("volumes_endpoint_driver_ref_key", "The volume (endpoint, driver ref) = (%s) is already in the inventory under another name"),
            entry("vms_endpoint_driver_ref_key", "The VM (endpoint, driver ref) = (%s) is already in the inventory under another name"),
            entry("vm_links_pkey", "The VM links two volumes at one mount path: (VM, mount path) = (%s)"));

    /**
     * A foreign key: the kind of object it points at, the kind of object that points, and a
     * query naming the objects that still point at a given key.
     */
    private record ForeignKey(String referencedKind, String referencingKind, String usersQuery) {}

    private static final Map<String, ForeignKey> FOREIGN_KEYS = Map.ofEntries(
            entry("images_endpoint_fkey", new ForeignKey("endpoint", "images", "SELECT name FROM images WHERE endpoint = ? ORDER BY name")),
            entry("volumes_endpoint_fkey", new ForeignKey("endpoint", "volumes", "SELECT name FROM volumes WHERE endpoint = ? ORDER BY name")),
            entry("vms_endpoint_fkey", new ForeignKey("endpoint", "VMs", "SELECT name FROM vms WHERE endpoint = ? ORDER BY name")),
            entry("vms_image_fkey", new ForeignKey("image", "VMs", "SELECT name FROM vms WHERE image = ? ORDER BY name")),
            entry("vm_links_volume_fkey", new ForeignKey("volume", "VMs", "SELECT vm FROM vm_links WHERE volume = ? ORDER BY vm")),
            entry("vm_links_vm_fkey", new ForeignKey("VM", "volume links", "SELECT volume FROM vm_links WHERE vm = ? ORDER BY volume")),
            entry("pair_members_vm_fkey", new ForeignKey("VM", "pairs", "SELECT pair FROM pair_members WHERE vm = ? ORDER BY pair")),
            entry("pair_members_pair_fkey", new ForeignKey("pair", "members", "SELECT vm FROM pair_members WHERE pair = ? ORDER BY vm")),
            entry("jobs_pair_fkey", new ForeignKey("pair", "jobs", "SELECT '#' || id FROM jobs WHERE pair = ? ORDER BY id")),
            entry("jobs_target_fkey", new ForeignKey("pair or VM", "jobs", "SELECT '#' || id FROM jobs WHERE pair = ? ORDER BY id")),
            entry("job_vm_locks_vm_fkey", new ForeignKey("VM", "live jobs", "SELECT '#' || job_id FROM job_vm_locks WHERE vm = ?")),
            entry("job_steps_job_fkey", new ForeignKey("job", "journal lines", "SELECT step_id FROM job_steps WHERE job_id::text = ? ORDER BY seq")));

    private final Jdbi jdbi;

    SqlErrors(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Runs {@code work}, translating the database's refusals. */
    <T> T call(Supplier<T> work) {
        try {
            return work.get();
        } catch (JdbiException e) {
            throw translate(e);
        }
    }

    /** Runs {@code work}, translating the database's refusals. */
    void run(Runnable work) {
        try {
            work.run();
        } catch (JdbiException e) {
            throw translate(e);
        }
    }

    /** The exception to throw for {@code failure}; the failure itself when it is no refusal we know. */
    RuntimeException translate(JdbiException failure) {
        Optional<PSQLException> psql = psqlCause(failure);
        if (psql.isEmpty()) {
            return failure;
        }
        String state = Optional.ofNullable(psql.get().getSQLState()).orElse("");
        ServerErrorMessage server = psql.get().getServerErrorMessage();
        String constraint = server == null ? null : server.getConstraint();
        String detail = server == null || server.getDetail() == null ? "" : server.getDetail();
        String key = keyValue(detail);
        if (state.startsWith("08")) {
            return new DatabaseUnavailableException("Lost the connection to the database: " + firstLine(psql.get().getMessage()), failure);
        }
        if (constraint == null) {
            return state.equals(INVALID_TEXT) || state.equals(NOT_NULL_VIOLATION)
                    ? new IllegalArgumentException("Refused by the database: " + firstLine(psql.get().getMessage()), failure)
                    : failure;
        }
        switch (state) {
            case UNIQUE_VIOLATION:
                return uniqueViolation(constraint, key, failure);
            case FOREIGN_KEY_VIOLATION:
                return foreignKeyViolation(constraint, key, detail, failure);
            case CHECK_VIOLATION:
                return new IllegalArgumentException("Refused by the database: the value breaks rule " + constraint
                        + " (" + firstLine(psql.get().getMessage()) + ")", failure);
            default:
                return failure;
        }
    }

    private RuntimeException uniqueViolation(String constraint, String key, JdbiException failure) {
        switch (constraint) {
            case LIVE_JOB_INDEX:
                return liveJob("SELECT id, kind, state, pair FROM jobs WHERE pair = ? AND state IN ('PENDING', 'RUNNING')", key)
                        .<RuntimeException>map(job -> new LiveJobExistsException(key, job.id, job.kind, Optional.of(job.state), job.pair))
                        .orElse(new InventoryConflictException("Pair '" + key + "' already has a live job", failure));
            case VM_LOCK_KEY:
                return liveJob("SELECT j.id, j.kind, j.state, j.pair FROM job_vm_locks l JOIN jobs j ON j.id = l.job_id WHERE l.vm = ?", key)
                        .<RuntimeException>map(job -> new LiveJobExistsException(key, job.id, job.kind, Optional.of(job.state), job.pair))
                        .orElse(new InventoryConflictException("VM '" + key + "' is held by a live job that ended meanwhile; try again", failure));
            case "vm_links_volume_key":
                return new InventoryConflictException("Volume '" + key + "' is already linked to VM "
                        + names("SELECT vm FROM vm_links WHERE volume = ?", key) + "; a volume is linked by at most one VM", failure);
            case "pair_members_vm_key":
                return new InventoryConflictException("VM '" + key + "' is already a member of pair "
                        + names("SELECT pair FROM pair_members WHERE vm = ?", key) + "; a VM belongs to at most one pair", failure);
            default:
                String template = UNIQUE_MESSAGES.get(constraint);
                return new InventoryConflictException(template != null ? String.format(template, key)
                        : "Already in the inventory: " + key + " (" + constraint + ")", failure);
        }
    }

    private RuntimeException foreignKeyViolation(String constraint, String key, String detail, JdbiException failure) {
        ForeignKey foreignKey = FOREIGN_KEYS.get(constraint);
        if (foreignKey == null) {
            return failure;
        }
        if (detail.contains("is not present in table")) {
            return new NotInInventoryException(foreignKey.referencedKind(), key);
        }
        return new InventoryConflictException(capitalized(foreignKey.referencedKind()) + " '" + key + "' is still used by "
                + foreignKey.referencingKind() + " " + names(foreignKey.usersQuery(), key) + "; remove those first", failure);
    }

    private record LiveJob(long id, String kind, JobState state, String pair) {}

    /** The live job {@code query} finds for {@code key} (columns id, kind, state, pair). */
    private Optional<LiveJob> liveJob(String query, String key) {
        return jdbi.withHandle(h -> h.createQuery(query)
                .bind(0, key)
                .map((rs, ctx) -> new LiveJob(rs.getLong("id"), rs.getString("kind"), JobState.valueOf(rs.getString("state")),
                        rs.getString("pair")))
                .findOne());
    }

    private String names(String query, String key) {
        try {
            List<String> found = jdbi.withHandle(h -> h.createQuery(query).bind(0, key).mapTo(String.class).list());
            return found.isEmpty() ? "(gone meanwhile)" : String.join(", ", found.stream().map(n -> "'" + n + "'").toList());
        } catch (JdbiException e) {
            return "(unknown)";
        }
    }

    private static String keyValue(String detail) {
        Matcher matcher = KEY_DETAIL.matcher(detail);
        return matcher.find() ? matcher.group(2) : "?";
    }

    private static Optional<PSQLException> psqlCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PSQLException psql) {
                return Optional.of(psql);
            }
            if (t instanceof SQLException sql && sql.getNextException() instanceof PSQLException next) {
                return Optional.of(next);
            }
        }
        return Optional.empty();
    }

    private static String capitalized(String word) {
        return word.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }
}
