package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fleet upgrade as the job queue keeps it: one job of kind {@value #KIND} whose parameters hold
 * the request and the plan's waves, and whose journal has one line per pair (named by the pair)
 * recording that pair's own upgrade job. Written when the job is created, so a resumed fleet runs
 * the plan it started with, even if pairs were added or relabelled since.
 *
 * @param id the fleet's job number
 * @param image the new image
 * @param strategy the strategy
 * @param selection how the pairs were selected, as the plan printed it
 * @param plan the waves and the bound
 * @param maxFailedPercent the failure share (percent) at which it stops
 * @param requestedBy who asked for it; its pairs' jobs are asked for in that name
 */
public record FleetJob(long id, String image, UpgradeStrategy strategy, String selection, FleetPlan plan, int maxFailedPercent,
        String requestedBy) {
    public static final String KIND = "upgrade-fleet";
    /** The target column of a fleet job: no pair or VM name can have a ':', so it never collides with one. */
    public static final String TARGET_PREFIX = "fleet:";

    private static final ObjectMapper JSON = new ObjectMapper();

    public FleetJob {
        requireNonNull(image, "image is null");
        requireNonNull(strategy, "strategy is null");
        requireNonNull(selection, "selection is null");
        requireNonNull(plan, "plan is null");
        requireNonNull(requestedBy, "requestedBy is null");
    }

    public static String target(String image) {
        return TARGET_PREFIX + image;
    }

    public static boolean isFleet(Job job) {
        return job.kind().equals(KIND);
    }

    static Map<String, String> parameters(FleetRequest request, FleetPlan plan) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("image", request.image());
        parameters.put("strategy", request.strategy().key());
        parameters.put("selection", request.selection().describe());
        parameters.put("max-in-flight", Integer.toString(plan.maxInFlight()));
        parameters.put("max-failed-percent", Integer.toString(request.maxFailedPercent()));
        List<List<String>> waves = plan.waves().stream().map(Wave::pairs).toList();
        try {
            parameters.put("waves", JSON.writeValueAsString(waves));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the fleet's waves", e);
        }
        return parameters;
    }

    /** Reads a fleet job; refuses a job of another kind, naming it and what to use instead. */
    public static FleetJob of(Job job) {
        if (!isFleet(job)) {
            throw new IllegalArgumentException("Job #" + job.id() + " is a " + job.kind() + " job of '" + job.pair()
                    + "', not a fleet upgrade; 'duplex upgrade status " + job.id() + "' shows it");
        }
        Map<String, String> p = job.parameters();
        List<List<String>> lists;
        try {
            lists = JSON.readValue(p.getOrDefault("waves", "[]"), new TypeReference<List<List<String>>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Fleet job #" + job.id() + " has unreadable waves in its parameters", e);
        }
        List<Wave> waves = new ArrayList<>();
        for (List<String> pairs : lists) {
            waves.add(new Wave(waves.size() + 1, pairs));
        }
        int maxInFlight = Integer.parseInt(p.getOrDefault("max-in-flight", "1"));
        return new FleetJob(job.id(), p.getOrDefault("image", ""), UpgradeStrategy.parse(p.getOrDefault("strategy", "link")),
                p.getOrDefault("selection", ""), new FleetPlan(waves, maxInFlight, Optional.empty()),
                Integer.parseInt(p.getOrDefault("max-failed-percent", "0")), job.requestedBy());
    }
}
