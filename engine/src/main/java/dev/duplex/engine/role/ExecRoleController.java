package dev.duplex.engine.role;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A role controller that runs the application's own commands.
 *
 * <p>Settings ({@code type=exec}):
 * <ul>
 *   <li>{@code roles-command} (required): run once per member as {@code <command> <pair> <member>};
 *       prints exactly {@code ACT} or {@code SBY}.
 *   <li>{@code switchover-command} (required): run as {@code <command> <pair> <member> <role>}, first
 *       for the old active with {@code SBY}, then for the new active with {@code ACT}; exit 0 means done.
 *   <li>{@code demote-command} (default: {@code switchover-command}): run as {@code <command> <pair> <member> SBY}
 *       for the old active alone when its stop follows the switchover (S25 then S26), with
 *       {@code DUPLEX_OPERATION=demote}; exit 0 means it takes no more writes. It may step down to SBY or
 *       just stop serving (e.g. {@code pg_ctl stop -m fast}): unless the member then reports SBY, Duplex
 *       stops its VM and confirms it stopped before the new active is promoted.
 *   <li>{@code takeover-command} (default: {@code switchover-command}): run as {@code <command> <pair> <member> ACT}
 *       for the new active once its demoted peer reports SBY, with {@code DUPLEX_OPERATION=takeover}.
 *   <li>{@code promote-command} (default: {@code switchover-command}): run at failover as
 *       {@code <command> <pair> <member> ACT} for the standby alone, its peer being fenced, with
 *       {@code DUPLEX_OPERATION=promote}; exit 0 means done, and its role is then read back.
 *   <li>{@code sync-command} (required): run as {@code <command> <pair> <standby> SBY}; prints
 *       {@code in-sync}, {@code lag <n>} or {@code unknown [why]}.
 *   <li>{@code resync-command} (optional): run as {@code <command> <pair> <standby> SBY}; exit 0 means started.
 *   <li>{@code health-command} (optional): run as {@code <command> <pair> <member>}; exit 0 is healthy,
 *       anything else unhealthy; a {@code version=<v>} line in its output is the software version.
 *       Without it, a member that answers {@code roles-command} counts as healthy.
 *   <li>{@code timeout-ms} (default 30000): how long one command may run.
 * </ul>
 * Every command also gets the environment variables {@code DUPLEX_OPERATION}, {@code DUPLEX_PAIR},
 * {@code DUPLEX_MEMBER}, {@code DUPLEX_ROLE} (when there is one), {@code DUPLEX_SYSTEM},
 * {@code DUPLEX_ENDPOINT}, {@code DUPLEX_VM_REF} and {@code DUPLEX_MEMBERS} (comma-separated).
 * A command is split on blanks; single or double quotes keep blanks in one argument. Exit codes
 * and output are read strictly: anything else is a {@link RoleControllerException} that quotes it.
 */
public final class ExecRoleController implements RoleController {
    private final List<String> rolesCommand;
    private final List<String> switchoverCommand;
    private final List<String> promoteCommand;
    private final List<String> demoteCommand;
    private final List<String> takeoverCommand;
    private final List<String> syncCommand;
    private final Optional<List<String>> resyncCommand;
    private final Optional<List<String>> healthCommand;
    private final Duration timeout;

    public ExecRoleController(Map<String, String> settings) {
        Settings s = new Settings("exec", requireNonNull(settings, "settings is null"));
        this.rolesCommand = split(s.required("roles-command"));
        this.switchoverCommand = split(s.required("switchover-command"));
        this.promoteCommand = s.optional("promote-command").map(ExecRoleController::split).orElse(switchoverCommand);
        this.demoteCommand = s.optional("demote-command").map(ExecRoleController::split).orElse(switchoverCommand);
        this.takeoverCommand = s.optional("takeover-command").map(ExecRoleController::split).orElse(switchoverCommand);
        this.syncCommand = split(s.required("sync-command"));
        this.resyncCommand = s.optional("resync-command").map(ExecRoleController::split);
        this.healthCommand = s.optional("health-command").map(ExecRoleController::split);
        this.timeout = s.millis("timeout-ms", 30_000);
    }

    @Override
    public String describe() {
        return "exec";
    }

    @Override
    public Map<String, Role> roles(PairContext pair) {
        Map<String, Role> roles = new LinkedHashMap<>();
        for (PairContext.Member member : pair.members()) {
            roles.put(member.name(), role(pair, member.name()));
        }
        return roles;
    }

    @Override
    public Role role(PairContext pair, String memberName) {
        PairContext.Member member = pair.member(memberName);
        Result result = run("role", rolesCommand, pair, member, null);
        result.requireSuccess();
        String answer = result.stdout.strip();
        return Role.parse(answer).orElseThrow(() -> new RoleControllerException(describe(), member.name(),
                "roles-command printed " + RoleAnswer.quote(answer) + "; expected exactly ACT or SBY"));
    }

    @Override
    public boolean canPromote() {
        return true;
    }

    /** Runs {@code promote-command} (default: the switchover command) for the member alone, with {@code ACT}. */
    @Override
    public void promote(PairContext pair, String memberName) {
        run("promote", promoteCommand, pair, pair.member(memberName), Role.ACT).requireSuccess();
    }

    @Override
    public void switchover(PairContext pair, String newActiveMember) {
        PairContext.Member newActive = pair.member(newActiveMember);
        PairContext.Member oldActive = pair.peer(newActiveMember);
        run("switchover", switchoverCommand, pair, oldActive, Role.SBY).requireSuccess();
        run("switchover", switchoverCommand, pair, newActive, Role.ACT).requireSuccess();
    }

    @Override
    public boolean canDemote() {
        return true;
    }

    /** Runs {@code demote-command} (default: the switchover command) for the old active alone, with {@code SBY}. */
    @Override
    public Optional<Role> demote(PairContext pair, String memberName) {
        Result result = run("demote", demoteCommand, pair, pair.member(memberName), Role.SBY);
        result.requireSuccess();
        return Optional.empty(); // what a demote command prints is not a role report: the engine asks roles-command
    }

    /** Runs {@code takeover-command} (default: the switchover command) for the new active alone, with {@code ACT}. */
    @Override
    public void takeOver(PairContext pair, String memberName) {
        run("takeover", takeoverCommand, pair, pair.member(memberName), Role.ACT).requireSuccess();
    }

    @Override
    public ResyncStatus resyncStatus(PairContext pair, String standbyMember) {
        PairContext.Member member = pair.member(standbyMember);
        Result result = run("sync", syncCommand, pair, member, Role.SBY);
        result.requireSuccess();
        String answer = result.stdout.strip();
        String[] words = answer.split("\\s+", 2);
        String first = words[0].toLowerCase(Locale.ROOT);
        if (first.equals("in-sync") && words.length == 1) {
            return ResyncStatus.inSync();
        }
        if (first.equals("unknown")) {
            return ResyncStatus.unknown(words.length > 1 ? words[1] : "the application does not know");
        }
        if (first.equals("lag") && words.length == 2) {
            try {
                long lag = Long.parseLong(words[1].strip());
                if (lag == 0) {
                    return ResyncStatus.inSync();
                }
                if (lag > 0) {
                    return ResyncStatus.lagging(lag);
                }
            } catch (NumberFormatException e) {
                // garbage: reported below
            }
        }
        throw new RoleControllerException(describe(), standbyMember, "sync-command printed " + RoleAnswer.quote(answer)
                + "; expected 'in-sync', 'lag <n>' (n >= 0) or 'unknown [why]'");
    }

    @Override
    public void resync(PairContext pair, String standbyMember) {
        if (resyncCommand.isPresent()) {
            run("resync", resyncCommand.get(), pair, pair.member(standbyMember), Role.SBY).requireSuccess();
        }
    }

    @Override
    public HealthStatus health(PairContext pair, String member) {
        if (healthCommand.isEmpty()) {
            return RoleController.super.health(pair, member);
        }
        Result result = run("health", healthCommand.get(), pair, pair.member(member), null);
        Optional<String> version = result.stdout.lines().map(String::strip)
                .filter(line -> line.startsWith("version=")).map(line -> line.substring("version=".length()))
                .findFirst();
        String detail = result.summary();
        return new HealthStatus(result.exitCode == 0, version, detail);
    }

    private Result run(String operation, List<String> command, PairContext pair, PairContext.Member member, Role role) {
        List<String> arguments = new ArrayList<>(command);
        arguments.add(pair.pair());
        arguments.add(member.name());
        if (role != null) {
            arguments.add(role.name());
        }
        ProcessBuilder builder = new ProcessBuilder(arguments);
        Map<String, String> env = builder.environment();
        env.put("DUPLEX_OPERATION", operation);
        env.put("DUPLEX_PAIR", pair.pair());
        env.put("DUPLEX_MEMBER", member.name());
        env.put("DUPLEX_SYSTEM", Integer.toString(member.system()));
        env.put("DUPLEX_ENDPOINT", member.endpoint());
        env.put("DUPLEX_VM_REF", member.driverRef());
        env.put("DUPLEX_MEMBERS", pair.members().stream().map(PairContext.Member::name).collect(Collectors.joining(",")));
        if (role != null) {
            env.put("DUPLEX_ROLE", role.name());
        } else {
            env.remove("DUPLEX_ROLE");
        }
        String shown = String.join(" ", arguments);
        Process process;
        try {
            process = builder.redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new RoleControllerException(describe(), member.name(),
                    operation + " command '" + shown + "' could not be started: " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
            var stdout = new StreamCollector(process.getInputStream());
            var stderr = new StreamCollector(process.getErrorStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new RoleControllerException(describe(), member.name(),
                        operation + " command '" + shown + "' did not finish within " + timeout.toMillis() + " ms");
            }
            return new Result(operation, shown, member.name(), process.exitValue(), stdout.text(), stderr.text());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RoleControllerException(describe(), member.name(), operation + " command '" + shown + "' was interrupted", e);
        }
    }

    /** Splits a command line on blanks, keeping quoted parts together. */
    static List<String> split(String commandLine) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (char c : commandLine.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unbalanced quote in command '" + commandLine + "'");
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        return List.copyOf(words);
    }

    private final class Result {
        final String operation;
        final String command;
        final String member;
        final int exitCode;
        final String stdout;
        final String stderr;

        Result(String operation, String command, String member, int exitCode, String stdout, String stderr) {
            this.operation = operation;
            this.command = command;
            this.member = member;
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        void requireSuccess() {
            if (exitCode != 0) {
                throw new RoleControllerException(describe(), member, operation + " command '" + command + "' exited with "
                        + exitCode + "; " + summary());
            }
        }

        String summary() {
            String out = stdout.strip();
            String err = stderr.strip();
            return "stdout " + RoleAnswer.quote(out) + (err.isEmpty() ? "" : ", stderr " + RoleAnswer.quote(err));
        }
    }

    /** Reads a process stream on its own thread so a chatty command cannot block on a full pipe. */
    private static final class StreamCollector {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        StreamCollector(InputStream in) {
            thread = new Thread(() -> {
                try (in) {
                    in.transferTo(bytes);
                } catch (IOException e) {
                    // the process went away; what was read is kept
                }
            }, "exec-role-controller-output");
            thread.setDaemon(true);
            thread.start();
        }

        String text() throws InterruptedException {
            thread.join(5_000);
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
