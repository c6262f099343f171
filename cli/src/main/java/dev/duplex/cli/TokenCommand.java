package dev.duplex.cli;

import dev.duplex.cli.Printer.Column;
import dev.duplex.engine.audit.OperatingSystemUser;
import dev.duplex.engine.token.IssuedToken;
import dev.duplex.engine.token.StoredToken;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.engine.token.TokenService;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex token create|list|revoke}: the server API's bearer tokens. */
@Command(name = "token", description = {
    "Bearer tokens for the server's API. Viewers read; operators also run upgrades and failovers; admins also manage endpoints and tokens.",
    "Only a salted hash of a token is stored: it is shown once, at 'create'. The audit log names the token as the actor of what it does."
}, footer = {"", "Examples:", "  duplex token list"}, subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
public final class TokenCommand {
    @Command(name = "create", description = {"Create a token and print it (to standard output, alone on its line) this once.",
    }, footer = {"", "Examples:", "  (umask 077 && duplex token create ci-deploy --role operator > ci-deploy.token)"})
    static final class Create implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, operator or admin.")
        String role;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Create(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            TokenRole parsed = TokenRole.parse(role);
            IssuedToken token = context.services().get(TokenService.class).create(name, parsed, OperatingSystemUser.current());
            context.err().println("duplex: token '" + token.name() + "' (" + token.role().key() + ") created; it is shown only now,"
                    + " keep it in a file only its user can read");
            context.err().flush();
            if (output.structured()) {
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("name", token.name());
                view.put("role", token.role().key());
                view.put("secret", token.secret());
                context.printer().object(output, view);
            } else {
                // alone on its line, so that '> file' keeps exactly the token
                context.out().println(token.secret());
                context.out().flush();
            }
        }
    }

    @Command(name = "list", description = "List tokens (never their secrets): name, role, who created them and when, and whether they are revoked.", footer = {"", "Examples:", "  duplex token list"})
    static final class ListTokens implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        ListTokens(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            List<Map<String, Object>> tokens = new ArrayList<>();
            for (StoredToken token : context.services().get(TokenService.class).list()) {
                tokens.add(view(token));
            }
            context.printer().list(output, List.of(Column.of("name"), Column.of("role"), Column.of("key_id"), Column.of("created", "created_at"),
                    Column.of("created_by"), Column.of("state"), Column.of("revoked", "revoked_at")), tokens);
        }
    }

    @Command(name = "revoke", description = "Revoke the live token of that name: requests carrying it are refused from now on.", footer = {"", "Examples:", "  duplex token revoke ci-deploy"})
    static final class Revoke implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Revoke(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            TokenService tokens = context.services().get(TokenService.class);
            tokens.revoke(name, OperatingSystemUser.current());
            // the token just revoked: the newest of that name
            Map<String, Object> view = tokens.list().stream().filter(t -> t.name().equals(name) && t.revokedAt().isPresent())
                    .max(java.util.Comparator.comparing(StoredToken::createdAt)).map(TokenCommand::view).orElseThrow();
            context.printer().changed(output, "Token '" + name + "' revoked", view);
        }
    }

    /** A token as docs/output.md describes it (kind "token"): never its secret or hash. */
    static Map<String, Object> view(StoredToken token) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", token.name());
        view.put("role", token.role().key());
        view.put("key_id", token.keyId());
        view.put("created_at", token.createdAt());
        view.put("created_by", token.createdBy());
        view.put("state", token.revokedAt().isPresent() ? "revoked" : "live");
        view.put("revoked_at", token.revokedAt());
        return view;
    }
}
