package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ObjectName;
import dev.duplex.engine.job.Job;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An upgrade job's parameters, read back from the job table: all a resumed or rolled-back job
 * needs to know about the pair as it was and what it was asked to do.
 *
 * @param id the job's id
 * @param kind {@code upgrade}, {@code upgrade-vm} or {@code rollback}
 * @param pair the pair's name (the VM's name for {@code upgrade-vm})
 * @param strategy the strategy
 * @param originalActive the active system when the job was created (0 for a single VM)
 * @param before the members as they were, by system
 * @param targetImages the new images' inventory names, by system
 * @param rollbackOf for a rollback job, the upgrade job it rolls back
 */
record UpgradeJob(long id, String kind, String pair, UpgradeStrategy strategy, int originalActive, List<MemberBefore> before,
        List<String> targetImages, Optional<Long> rollbackOf) {
    static final String KIND_PAIR = "upgrade";
    static final String KIND_VM = "upgrade-vm";
    static final String KIND_ROLLBACK = "rollback";

    UpgradeJob {
        requireNonNull(kind, "kind is null");
        requireNonNull(pair, "pair is null");
        requireNonNull(strategy, "strategy is null");
        before = List.copyOf(before);
        targetImages = List.copyOf(targetImages);
        requireNonNull(rollbackOf, "rollbackOf is null");
    }

    static Map<String, String> parameters(UpgradeStrategy strategy, int originalActive, List<MemberBefore> before,
            List<String> targetImages, Optional<Long> rollbackOf) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("strategy", strategy.key());
        parameters.put("active", Integer.toString(originalActive));
        parameters.put("members", Integer.toString(before.size()));
        for (MemberBefore member : before) {
            member.writeTo(parameters);
        }
        for (int system = 0; system < targetImages.size(); system++) {
            parameters.put("image." + system, targetImages.get(system));
        }
        rollbackOf.ifPresent(id -> parameters.put("rollback-of", Long.toString(id)));
        return parameters;
    }

    static UpgradeJob of(Job job) {
        Map<String, String> p = job.parameters();
        if (!p.containsKey("strategy") || !p.containsKey("members")) {
            throw new UpgradeRefusedException("Job #" + job.id() + " (" + job.kind() + " of " + job.pair() + ") is not an upgrade job;"
                    + " 'duplex jobs show " + job.id() + "' shows it");
        }
        int members = Integer.parseInt(p.get("members"));
        List<MemberBefore> before = new java.util.ArrayList<>();
        List<String> images = new java.util.ArrayList<>();
        for (int system = 0; system < members; system++) {
            before.add(MemberBefore.readFrom(p, system));
            images.add(p.getOrDefault("image." + system, before.get(system).image()));
        }
        return new UpgradeJob(job.id(), job.kind(), job.pair(), UpgradeStrategy.parse(p.get("strategy")),
                Integer.parseInt(p.getOrDefault("active", "0")), before, images,
                Optional.ofNullable(p.get("rollback-of")).map(Long::parseLong));
    }

    MemberBefore member(String name) {
        return before.stream().filter(m -> m.member().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("job #" + id + " has no member " + name));
    }

    /** The other member of a pair job. */
    String peerOf(String member) {
        return before.stream().map(MemberBefore::member).filter(m -> !m.equals(member)).findFirst()
                .orElseThrow(() -> new IllegalStateException("job #" + id + " is not a pair upgrade"));
    }

    MemberBefore system(int system) {
        return before.get(system);
    }

    boolean isPair() {
        return before.size() == 2;
    }

    /** The driver name of the VM this job creates for a member: found again by name when the job resumes. */
    String newVmName(String member) {
        return withJobSuffix(member);
    }

    /** The name of the copy volume {@code snapshot-copy} makes of a member's volume. */
    String copyVolumeName(String volume) {
        return withJobSuffix(volume);
    }

    /** {@code name-jN}, the name cut short first if needed, so that it still follows the naming rule. */
    private String withJobSuffix(String name) {
        String suffix = "-j" + rollbackOf.orElse(id);
        int room = ObjectName.MAX_LENGTH - suffix.length();
        return (name.length() > room ? name.substring(0, room) : name) + suffix;
    }
}
