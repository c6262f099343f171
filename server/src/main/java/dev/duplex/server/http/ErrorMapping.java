package dev.duplex.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.api.ConflictException;
import dev.duplex.api.DriverException;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.engine.driver.DriverLoadException;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.service.JobNotFoundException;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.job.LiveJobExistsException;
import dev.duplex.engine.upgrade.UpgradeRefusedException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become problem documents: the engine's refusals keep their
 * message (it names the object and what to do); anything unexpected is logged with an id and
 * answered with that id only, so no internal detail (SQL, paths, stack) reaches a client.
 */
public final class ErrorMapping {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

    private final ObjectMapper json;

    public ErrorMapping(ObjectMapper json) {
        this.json = json;
    }

    public void register(RoutesConfig routes) {
        routes.exception(Exception.class, (e, ctx) -> answer(ctx, problemOf(e, ctx)));
        // What no route matched, and Javalin's own refusals that reach no exception handler.
        for (int status : new int[] {400, 404, 405, 413}) {
            routes.error(status, ctx -> {
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith(Problem.MEDIA_TYPE)) {
                    ProblemType family = status == 404 ? ProblemType.NOT_FOUND : ProblemType.VALIDATION;
                    answer(ctx, new Problem(family.uri(), family.title(), status, status == 404 ? "No resource at " + ctx.path()
                            + "; see /openapi.json for the API's paths" : "The request was refused with HTTP " + status, ctx.path()));
                }
            });
        }
    }

    Problem problemOf(Exception e, Context ctx) {
        String path = ctx.path();
        if (e instanceof ApiException api) {
            return Problem.of(api.type(), api.getMessage(), path);
        }
        if (e instanceof NotInInventoryException) {
            return Problem.of(ProblemType.NOT_FOUND, e.getMessage(), path);
        }
        if (e instanceof InventoryConflictException || e instanceof LiveJobExistsException || e instanceof UpgradeRefusedException
                || e instanceof dev.duplex.engine.failover.FenceRefusedException || e instanceof dev.duplex.engine.failover.FailoverException) {
            return Problem.of(ProblemType.CONFLICT, e.getMessage(), path);
        }
        if (e instanceof IllegalArgumentException || e instanceof DriverLoadException || e instanceof InvalidSpecException) {
            return Problem.of(ProblemType.VALIDATION, e.getMessage(), path);
        }
        if (e instanceof JobNotFoundException) {
            return Problem.of(ProblemType.NOT_FOUND, e.getMessage(), path);
        }
        if (e instanceof ConflictException) {
            return Problem.of(ProblemType.CONFLICT, e.getMessage(), path);
        }
        if (e instanceof DriverException) {
            // A driver's message says what failed on which object (the SPI's rule); the platform's, not ours.
            log.warn("Request {} {}: the platform failed: {}", ctx.method(), path, e.getMessage());
            return Problem.of(ProblemType.PLATFORM, e.getMessage(), path);
        }
        if (e instanceof HttpResponseException http) {
            ProblemType family = switch (http.getStatus()) {
                case 401 -> ProblemType.UNAUTHORIZED;
                case 403 -> ProblemType.FORBIDDEN;
                case 404 -> ProblemType.NOT_FOUND;
                case 409 -> ProblemType.CONFLICT;
                case 503 -> ProblemType.UNAVAILABLE;
                default -> http.getStatus() >= 500 ? ProblemType.INTERNAL : ProblemType.VALIDATION;
            };
            String detail = http.getMessage() == null || http.getMessage().isBlank() ? family.title() : http.getMessage();
            return new Problem(family.uri(), family.title(), http.getStatus(), dev.duplex.api.VisibleText.escape(detail), path);
        }
        String id = UUID.randomUUID().toString();
        log.error("Request {} {} failed (error id {})", ctx.method(), path, id, e);
        return Problem.of(ProblemType.INTERNAL, "The server failed on this request; its log has the cause under error id " + id, path);
    }

    void answer(Context ctx, Problem problem) {
        if (problem.status() == 401) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"duplex\"");
        }
        try {
            ctx.status(problem.status()).contentType(Problem.MEDIA_TYPE).result(json.writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a problem document", e);
        }
    }
}
