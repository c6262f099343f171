package dev.duplex.cli;

import dev.duplex.engine.audit.OperatingSystemUser;
import dev.duplex.engine.token.IssuedToken;
import dev.duplex.engine.token.StoredToken;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.engine.token.TokenService;
import java.time.Instant;
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
            context.out().println(token.secret());
            context.out().flush();
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
            List<List<Object>> rows = new ArrayList<>();
            for (StoredToken token : context.services().get(TokenService.class).list()) {
                rows.add(List.of(token.name(), token.role().key(), token.keyId(), token.createdAt().toString(), token.createdBy(),
                        token.revokedAt().map(Instant::toString).map(at -> "revoked " + at).orElse("live")));
            }
            context.printer().rows(output, List.of("name", "role", "key id", "created", "created by", "state"), rows);
        }
    }

    @Command(name = "revoke", description = "Revoke the live token of that name: requests carrying it are refused from now on.", footer = {"", "Examples:", "  duplex token revoke ci-deploy"})
    static final class Revoke implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Revoke(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            context.services().get(TokenService.class).revoke(name, OperatingSystemUser.current());
            context.out().println("Token '" + name + "' revoked");
        }
    }
}
