package dev.duplex.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.duplex.api.Redaction;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobEntry;
import dev.duplex.engine.job.StepRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The API's representations of engine values: explicit, so a change inside the engine is not a silent change of the API. */
final class Views {
    private Views() {}

    /** An endpoint, its URI and settings redacted as everywhere they are shown. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record EndpointView(String name, String driverKind, String uri, String credentialFile, Map<String, String> properties) {
        static EndpointView of(Endpoint endpoint) {
            return new EndpointView(endpoint.name(), endpoint.driverKind(), Redaction.redactUri(endpoint.uri()),
                    endpoint.credentialFile().orElse(null), Redaction.redactSettings(endpoint.properties()));
        }
    }

    /**
     * A pair, its role-controller secrets redacted as everywhere they are shown. Built straight from
     * the record rather than through a second {@code PairRecord}, which would check its names again:
     * {@code GET /api/v1/pairs} renders hundreds per request.
     */
    record PairView(String name, String system0, String system1, int activeSystem, String standbyKind, Map<String, String> roleController,
            Map<String, String> resyncGate) {
        static PairView of(dev.duplex.engine.inventory.PairRecord pair) {
            return new PairView(pair.name(), pair.system0(), pair.system1(), pair.activeSystem(), pair.standbyKind().name(),
                    Redaction.redactSettings(pair.roleController()), pair.resyncGate());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record JobView(long id, String kind, String target, String state, String requestedBy, Map<String, String> parameters, String owner,
            String heartbeat, String error, String location, String events, String createdAt, String startedAt, String finishedAt) {
        static JobView of(Job job) {
            return new JobView(job.id(), job.kind(), job.pair(), job.state().name(), job.requestedBy(), job.parameters(),
                    job.owner().orElse(null), job.heartbeat().map(Instant::toString).orElse(null), job.error().orElse(null),
                    "/api/v1/jobs/" + job.id(), "/api/v1/jobs/" + job.id() + "/events", null, null, null);
        }

        /** A job with its times: asked for, first claimed, ended. */
        static JobView of(JobEntry entry) {
            JobView job = of(entry.job());
            return new JobView(job.id(), job.kind(), job.target(), job.state(), job.requestedBy(), job.parameters(), job.owner(),
                    job.heartbeat(), job.error(), job.location(), job.events(), entry.createdAt().toString(),
                    entry.startedAt().map(Instant::toString).orElse(null), entry.finishedAt().map(Instant::toString).orElse(null));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record StepView(String step, String state, String startedAt, String endedAt, String error, Map<String, String> outputs) {
        static StepView of(StepRecord record) {
            return new StepView(record.stepId(), record.state().name(), record.startedAt().toString(),
                    record.endedAt().map(Instant::toString).orElse(null), record.error().orElse(null), record.outputs());
        }
    }

    /** A job with its journal. */
    record JobDetail(JobView job, List<StepView> steps) {}

    /** What {@code POST .../upgrades} answers with its 202. */
    record Accepted(long job, String location, String events) {}

    /** A volume with what uses it: the VM linking it now, and since when it may hold data. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VolumeDetail(String name, String endpoint, String driverRef, long sizeBytes, String purpose, String linkedBy, String firstLinked,
            boolean mayHoldData) {
        static VolumeDetail of(dev.duplex.engine.service.VolumeView view) {
            var v = view.volume();
            return new VolumeDetail(v.name(), v.endpoint(), v.driverRef(), v.sizeBytes(), v.purpose(), view.linkedBy().orElse(null),
                    view.firstLinked().map(Instant::toString).orElse(null), view.mayHoldData());
        }
    }

    /** A VM as recorded, with the power state its platform reports now; secrets in its properties redacted. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VmView(String name, String endpoint, String driverRef, String image, List<dev.duplex.engine.inventory.LinkRecord> links,
            Map<String, String> properties, String state, String pair) {
        static VmView of(dev.duplex.engine.service.VmStatus status) {
            var vm = status.vm();
            return new VmView(vm.name(), vm.endpoint(), vm.driverRef(), vm.image(), vm.links(), Redaction.redactSettings(vm.properties()),
                    status.state(), status.pair().orElse(null));
        }
    }

    /** What {@code POST /api/v1/vms/{name}/start} answers: what was copied in at boot, if anything. */
    record Started(String vm, long bytesCopied, long copyMillis) {}

    /** A token as listed: never its secret or hash. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TokenView(String name, String role, String keyId, String createdAt, String createdBy, String revokedAt) {
        static TokenView of(dev.duplex.engine.token.StoredToken token) {
            return new TokenView(token.name(), token.role().key(), token.keyId(), token.createdAt().toString(), token.createdBy(),
                    token.revokedAt().map(Instant::toString).orElse(null));
        }
    }

    /** A token just issued: the only time its secret is shown. */
    record IssuedTokenView(String name, String role, String secret, String note) {}
}
