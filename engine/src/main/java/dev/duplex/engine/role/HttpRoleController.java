package dev.duplex.engine.role;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.Redaction;
import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A role controller that calls the application's HTTP endpoints.
 *
 * <p>Settings ({@code type=http}); every URL is a template:
 * <ul>
 *   <li>{@code role-url} (default {@code {base}/role}): GET, answers {@code {"role":"ACT"|"SBY"}}.
 *   <li>{@code switchover-url} (default {@code {base}/role?to={role}}): POST, first to the old active
 *       with {@code {role}=SBY}, then to the new active with {@code ACT}; any 2xx means done.
 *   <li>{@code demote-url} (default: {@code switchover-url} with {@code {role}=SBY}): POST to the old active
 *       alone when its stop follows the switchover (S25 then S26); any 2xx means it takes no more writes.
 *   <li>{@code takeover-url} (default: {@code switchover-url} with {@code {role}=ACT}): POST to the new
 *       active once its demoted peer reports SBY; any 2xx means it caught up and took the role. Here
 *       {@code {peer_seq}} is the {@code "seq"} the peer stated in its answer to the demote (empty when
 *       it stated none), so an application can take over without asking its peer again
 *       (e.g. {@code {base}/role?to=ACT&peer_seq={peer_seq}} for the kv example).
 *   <li>{@code promote-url} (default {@code {base}/role?to=ACT&force=true}): POST to the standby alone
 *       at failover, once its peer is fenced; any 2xx means done, and its role is then read back.
 *   <li>{@code sync-url} (default {@code {base}/sync}): GET on the standby, answers
 *       {@code {"in_sync":true|false,"lag":n}} ({@code lag} optional).
 *   <li>{@code resync-url} (default {@code {base}/resync}; {@code none} to skip): POST on the standby, 2xx.
 *   <li>{@code health-url} (default {@code {base}/health}): GET, answers {@code {"status":"ok","version":"v2"}};
 *       a status other than {@code ok}, a non-2xx answer or a refused connection is unhealthy.
 *   <li>{@code timeout-ms} (default 5000): per request.
 *   <li>{@code identity} (default {@code vm-id}; {@code none} to skip): which process answers. Every
 *       answer read ({@code role-url}, {@code sync-url}, {@code health-url}) must carry
 *       {@code "vm_id"} equal to the member's driver id (the local driver gives a VM's process
 *       {@code DUPLEX_VM_ID}); before a POST the member is asked through {@code role-url} first. So
 *       another installation's process on the member's port is refused before any role change,
 *       and its health answer is not trusted.
 *   <li>{@code role-token}: sent as {@code Authorization: Bearer <token>} with every POST, looked up
 *       per member like a placeholder (so the member's property {@code env.ROLE_TOKEN} serves);
 *       never printed, and (unless {@code identity=none}) never sent before the member proved who it is.
 * </ul>
 * Placeholders: {@code {pair}}, {@code {member}}, {@code {role}}, {@code {base}} (default
 * {@code http://{host}:{port}}) and any other {@code {key}}, looked up per member in the setting
 * {@code member.<member>.<key>}, then the member VM's property {@code <key>}, then its property
 * {@code env.<KEY>} (the local driver's environment variables, e.g. {@code env.PORT}), then the
 * setting {@code <key>}; {@code host} defaults to {@code 127.0.0.1}. So {@code member.kv-0.base=http://10.0.0.5:8080}
 * or {@code member.kv-0.port=8081} map a member to its address. Answers that are not the JSON
 * above are a {@link RoleControllerException} quoting them.
 */
public final class HttpRoleController implements RoleController {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.-]+)}");

    private final Settings settings;
    private final String roleUrl;
    private final String switchoverUrl;
    private final String promoteUrl;
    private final String demoteUrl;
    private final String takeoverUrl;
    /** Per pair, the last seq its demoted member stated in the demote's answer, for {@code {peer_seq}} in the takeover. */
    private final Map<String, DemotedSeq> demotedSeqs = new java.util.concurrent.ConcurrentHashMap<>();

    private record DemotedSeq(String member, long seq) {}

    /** When each member last proved who it is (driver id, nanoTime), so the POST right after needs no second GET. */
    private final Map<String, Proof> proofs = new java.util.concurrent.ConcurrentHashMap<>();
    private final String syncUrl;
    private final Optional<String> resyncUrl;
    private final String healthUrl;
    private final Duration timeout;
    private final boolean checkIdentity;
    private final HttpClient client;

    public HttpRoleController(Map<String, String> settings) {
        this.settings = new Settings("http", requireNonNull(settings, "settings is null"));
        this.roleUrl = this.settings.orDefault("role-url", "{base}/role");
        this.switchoverUrl = this.settings.orDefault("switchover-url", "{base}/role?to={role}");
        this.promoteUrl = this.settings.orDefault("promote-url", "{base}/role?to=ACT&force=true");
        this.demoteUrl = this.settings.orDefault("demote-url", switchoverUrl);
        this.takeoverUrl = this.settings.orDefault("takeover-url", switchoverUrl);
        this.syncUrl = this.settings.orDefault("sync-url", "{base}/sync");
        String resync = this.settings.orDefault("resync-url", "{base}/resync");
        this.resyncUrl = resync.equals("none") ? Optional.empty() : Optional.of(resync);
        this.healthUrl = this.settings.orDefault("health-url", "{base}/health");
        this.timeout = this.settings.millis("timeout-ms", 5_000);
        String identity = this.settings.orDefault("identity", "vm-id");
        if (!identity.equals("vm-id") && !identity.equals("none")) {
            throw new IllegalArgumentException("The http role controller's setting 'identity' is vm-id (the default) or none, not '"
                    + identity + "'");
        }
        this.checkIdentity = identity.equals("vm-id");
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String describe() {
        return "http";
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
        String url = url(roleUrl, pair, member, null);
        RoleAnswer answer = json(member.name(), url, call(member.name(), "GET", url, true).body());
        verifyIdentity(member, url, answer);
        String role = read(member.name(), url, () -> answer.string("role"));
        return Role.parse(role).orElseThrow(() -> new RoleControllerException(describe(), member.name(),
                "GET " + Redaction.redactUri(url) + " answered role \"" + role + "\"; expected ACT or SBY"));
    }

    @Override
    public boolean canPromote() {
        return true;
    }

    /** POSTs {@code promote-url} to the member alone: its peer is fenced and is not asked to step down. */
    @Override
    public void promote(PairContext pair, String memberName) {
        PairContext.Member member = pair.member(memberName);
        proveIdentity(pair, member);
        post(member, url(promoteUrl, pair, member, Role.ACT));
    }

    @Override
    public void switchover(PairContext pair, String newActiveMember) {
        PairContext.Member newActive = pair.member(newActiveMember);
        PairContext.Member oldActive = pair.peer(newActiveMember);
        // Both first: a refusal must come before the old active is demoted, not between the two POSTs.
        proveIdentity(pair, oldActive);
        proveIdentity(pair, newActive);
        post(oldActive, url(switchoverUrl, pair, oldActive, Role.SBY));
        post(newActive, url(switchoverUrl, pair, newActive, Role.ACT));
    }

    @Override
    public boolean canDemote() {
        return true;
    }

    /**
     * POSTs {@code demote-url} to the old active. Its peer proves who it is first too, so the
     * takeover that follows at once needs no request before its POST (the switchover gap).
     */
    @Override
    public Optional<Role> demote(PairContext pair, String memberName) {
        PairContext.Member member = pair.member(memberName);
        proveIdentity(pair, member);
        if (pair.members().size() > 1) {
            proveIdentity(pair, pair.peer(memberName));
        }
        demotedSeqs.remove(pair.pair());
        String body = post(member, url(demoteUrl, pair, member, Role.SBY)).body();
        // The member proved who it is just before; a "role" in its answer spares asking again.
        try {
            RoleAnswer answer = RoleAnswer.parse(body);
            try {
                answer.optionalLong("seq").filter(seq -> seq >= 0)
                        .ifPresent(seq -> demotedSeqs.put(pair.pair(), new DemotedSeq(member.name(), seq)));
            } catch (IllegalArgumentException notASeq) {
                // {peer_seq} stays empty: the new active asks its peer itself
            }
            return answer.optionalString("role").flatMap(Role::parse);
        } catch (IllegalArgumentException notJson) {
            return Optional.empty();
        }
    }

    /** POSTs {@code takeover-url} to the new active, asking who it is first unless it proved that within {@link #PROOF_VALID_NANOS}. */
    @Override
    public void takeOver(PairContext pair, String memberName) {
        PairContext.Member member = pair.member(memberName);
        if (!recentlyProven(member)) {
            proveIdentity(pair, member);
        }
        post(member, url(takeoverUrl, pair, member, Role.ACT));
        demotedSeqs.remove(pair.pair());
    }

    @Override
    public ResyncStatus resyncStatus(PairContext pair, String standbyMember) {
        PairContext.Member member = pair.member(standbyMember);
        String url = url(syncUrl, pair, member, Role.SBY);
        RoleAnswer answer = json(member.name(), url, call(member.name(), "GET", url, true).body());
        verifyIdentity(member, url, answer);
        return read(member.name(), url, () -> {
            boolean inSync = answer.bool("in_sync");
            Optional<Long> lag = answer.optionalLong("lag");
            if (lag.isPresent() && lag.get() < 0) {
                throw new IllegalArgumentException("field \"lag\" is negative: " + lag.get());
            }
            if (inSync) {
                if (lag.isPresent() && lag.get() != 0) {
                    throw new IllegalArgumentException("in_sync is true but lag is " + lag.get());
                }
                return ResyncStatus.inSync();
            }
            return lag.filter(n -> n > 0).map(ResyncStatus::lagging)
                    .orElseGet(() -> ResyncStatus.unknown("not in sync, lag not reported"));
        });
    }

    @Override
    public void resync(PairContext pair, String standbyMember) {
        if (resyncUrl.isPresent()) {
            PairContext.Member member = pair.member(standbyMember);
            proveIdentity(pair, member);
            post(member, url(resyncUrl.get(), pair, member, Role.SBY));
        }
    }

    @Override
    public HealthStatus health(PairContext pair, String memberName) {
        PairContext.Member member = pair.member(memberName);
        String url = url(healthUrl, pair, member, null);
        HttpResponse<String> response;
        try {
            response = call(memberName, "GET", url, false);
        } catch (RoleControllerException unreachable) {
            return HealthStatus.unhealthy(unreachable.getMessage());
        }
        if (response.statusCode() / 100 != 2) {
            return HealthStatus.unhealthy("GET " + Redaction.redactUri(url) + " answered HTTP " + response.statusCode()
                    + " " + RoleAnswer.quote(response.body()));
        }
        RoleAnswer answer = json(memberName, url, response.body());
        try {
            verifyIdentity(member, url, answer);
        } catch (RoleControllerException stranger) {
            // Another process answering "ok" on the port says nothing about the member's health.
            return HealthStatus.unhealthy(stranger.getMessage());
        }
        String status = read(memberName, url, () -> answer.string("status"));
        Optional<String> version = answer.optionalString("version");
        return new HealthStatus(status.equalsIgnoreCase("ok"), version, "status " + status + version.map(v -> ", version " + v).orElse(""));
    }

    /** Asks the member through {@code role-url} who it is, before anything is sent to it. */
    private void proveIdentity(PairContext pair, PairContext.Member member) {
        if (checkIdentity) {
            String url = url(roleUrl, pair, member, null);
            verifyIdentity(member, url, json(member.name(), url, call(member.name(), "GET", url, true).body()));
        }
    }

    /** How long a member's proof of identity stands for a POST that follows it (a demote, then the takeover). */
    private static final long PROOF_VALID_NANOS = 10_000_000_000L;

    private record Proof(String driverRef, long atNanos) {}

    private boolean recentlyProven(PairContext.Member member) {
        if (!checkIdentity) {
            return true;
        }
        Proof proof = proofs.get(member.name());
        return proof != null && proof.driverRef().equals(member.driverRef()) && System.nanoTime() - proof.atNanos() < PROOF_VALID_NANOS;
    }

    /** Refuses an answer that does not come from the member's own VM. */
    private void verifyIdentity(PairContext.Member member, String url, RoleAnswer answer) {
        if (!checkIdentity) {
            return;
        }
        try {
            refuseStranger(member, url, answer);
        } catch (RoleControllerException stranger) {
            proofs.remove(member.name());
            throw stranger;
        }
        proofs.put(member.name(), new Proof(member.driverRef(), System.nanoTime()));
    }

    private void refuseStranger(PairContext.Member member, String url, RoleAnswer answer) {
        Optional<String> vmId = read(member.name(), url, () -> answer.optionalString("vm_id"));
        String where = address(url);
        String expected = "expected '" + member.name() + "' (vm id '" + member.driverRef() + "')";
        if (vmId.isEmpty()) {
            throw new RoleControllerException(describe(), member.name(), where + " answered without \"vm_id\", " + expected
                    + ", so it cannot be told from another service on that port; make the service report its DUPLEX_VM_ID as vm_id,"
                    + " or set the pair's role-controller setting identity=none. Nothing was changed.");
        }
        if (!vmId.get().equals(member.driverRef())) {
            String name = read(member.name(), url, () -> answer.optionalString("vm")).orElse("?");
            throw new RoleControllerException(describe(), member.name(), where + " answered as " + RoleAnswer.quote(name) + " (vm id "
                    + RoleAnswer.quote(vmId.get()) + "), " + expected + ": another service holds that port. Nothing was changed;"
                    + " stop that service, or point member." + member.name() + ".port at " + member.name() + "'s own port.");
        }
    }

    /** What a failed request means for the operator, instead of a bare exception class. */
    private String unreachable(IOException e, String url, String member) {
        String where = address(url);
        if (e instanceof java.net.ConnectException) {
            return "nothing answers at " + where + " (connection refused); is " + member + " running and serving on that port?";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer from " + where + " within " + timeout.toMillis() + " ms (timeout-ms)";
        }
        if (e instanceof java.net.UnknownHostException || e.getCause() instanceof java.nio.channels.UnresolvedAddressException) {
            return "the host of " + where + " cannot be resolved";
        }
        return "the request to " + where + " failed: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + RoleAnswer.quote(e.getMessage()));
    }

    private static String address(String url) {
        try {
            String authority = URI.create(url).getRawAuthority();
            return authority == null ? Redaction.redactUri(url) : authority.substring(authority.lastIndexOf('@') + 1);
        } catch (IllegalArgumentException e) {
            return Redaction.redactUri(url);
        }
    }

    /** A POST to a member that proved who it is, carrying its role token if it has one. */
    private HttpResponse<String> post(PairContext.Member member, String url) {
        Optional<String> token = optionalLookup("role-token", member);
        if (token.isPresent() && !token.get().chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new RoleControllerException(describe(), member.name(), "the role token of " + member.name()
                    + " holds characters an HTTP header cannot carry (only printable ASCII without blanks); fix the member's role-token");
        }
        return call(member.name(), "POST", url, true, token);
    }

    private String url(String template, PairContext pair, PairContext.Member member, Role role) {
        return expand(template, pair, member, role, 0);
    }

    private String expand(String template, PairContext pair, PairContext.Member member, Role role, int depth) {
        if (depth > 4) {
            throw new IllegalArgumentException("The http role controller's URL templates refer to each other in a loop: " + template);
        }
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String key = matcher.group(1);
            String value = switch (key) {
                case "pair" -> pair.pair();
                case "member" -> member.name();
                case "peer_seq" -> {
                    // Empty when the peer stated none, or was demoted by another process (a resumed job):
                    // the application then asks the peer itself.
                    DemotedSeq demoted = demotedSeqs.get(pair.pair());
                    yield demoted != null && pair.members().size() > 1 && demoted.member().equals(pair.peer(member.name()).name())
                            ? Long.toString(demoted.seq()) : "";
                }
                case "role" -> {
                    if (role == null) {
                        throw new IllegalArgumentException("URL template '" + template + "' uses {role} where there is none");
                    }
                    yield role.name();
                }
                default -> expand(lookup(key, pair, member), pair, member, role, depth + 1);
            };
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private Optional<String> optionalLookup(String key, PairContext.Member member) {
        return settings.optional("member." + member.name() + "." + key)
                .or(() -> Optional.ofNullable(member.properties().get(key)))
                .or(() -> Optional.ofNullable(member.properties().get("env." + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_'))))
                .or(() -> settings.optional(key));
    }

    private String lookup(String key, PairContext pair, PairContext.Member member) {
        Optional<String> value = optionalLookup(key, member);
        if (value.isPresent()) {
            return value.get();
        }
        return switch (key) {
            case "base" -> "http://{host}:{port}";
            case "host" -> "127.0.0.1";
            default -> throw new RoleControllerException(describe(), member.name(), "no value for {" + key
                    + "} in the URL templates of pair " + pair.pair() + "; set member." + member.name() + "." + key + " or " + key);
        };
    }

    private HttpResponse<String> call(String member, String method, String url, boolean require2xx) {
        return call(member, method, url, require2xx, Optional.empty());
    }

    private HttpResponse<String> call(String member, String method, String url, boolean require2xx, Optional<String> token) {
        String shown = method + " " + Redaction.redactUri(url);
        HttpRequest request;
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .method(method, HttpRequest.BodyPublishers.noBody()).header("Accept", "application/json");
            token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
            request = builder.build();
        } catch (IllegalArgumentException e) {
            throw new RoleControllerException(describe(), member, "bad URL for " + shown + ": " + e.getMessage(), e);
        }
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RoleControllerException(describe(), member, shown + ": " + unreachable(e, url, member), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoleControllerException(describe(), member, shown + " was interrupted", e);
        }
        if (require2xx && response.statusCode() / 100 != 2) {
            throw new RoleControllerException(describe(), member, shown + " answered HTTP " + response.statusCode()
                    + " " + RoleAnswer.quote(response.body()));
        }
        return response;
    }

    private RoleAnswer json(String member, String url, String body) {
        try {
            return RoleAnswer.parse(body);
        } catch (IllegalArgumentException e) {
            throw new RoleControllerException(describe(), member, Redaction.redactUri(url) + " answered something that is not the expected JSON: "
                    + e.getMessage());
        }
    }

    private <T> T read(String member, String url, java.util.function.Supplier<T> reading) {
        try {
            return reading.get();
        } catch (IllegalArgumentException e) {
            throw new RoleControllerException(describe(), member, Redaction.redactUri(url) + " answered unexpected JSON: " + e.getMessage());
        }
    }
}
