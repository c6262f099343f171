package dev.duplex.engine.upgrade;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The step lists of a job, in order: the seed's S11–S13 and S21–S29, and the R steps of a rollback. */
final class UpgradeSteps {
    private UpgradeSteps() {}

    /** S21–S29 for a pair whose system {@code job.originalActive()} was active: the standby first. */
    static List<UpgradeStep> pair(UpgradeJob job) {
        MemberBefore act = job.system(job.originalActive());
        MemberBefore sby = job.system(1 - job.originalActive());
        String a = act.member();
        String s = sby.member();
        String imageS = job.targetImages().get(sby.system());
        String imageA = job.targetImages().get(act.system());
        String aloneA = a + " alone";
        String aloneS = s + " alone";
        List<UpgradeStep> steps = new ArrayList<>();
        steps.add(new StopMember(new StepInfo("S21", "stop SBY " + s, s, aloneA, true), s, Optional.of(a)));
        steps.add(new LinkNewImage(new StepInfo("S22", linkAction(job, s, imageS), s, aloneA, true), s));
        steps.add(new StartAndCheck(new StepInfo("S23", "start " + s + " on " + imageS + " and check its health", s, aloneA, true), s,
                imageS));
        steps.add(new ResyncGate(new StepInfo("S24", "resync " + s + " from " + a + " until in sync", s, aloneA, true), s, Optional.empty()));
        // S26 stops the old active right after, so it need only stop taking writes (SBY, or stopped here already)
        steps.add(new Switchover(new StepInfo("S25", "switch over: " + s + " ACT, " + a + " SBY (or stopped)", s, "nobody (switchover gap)",
                false), s, true));
        steps.add(new StopMember(new StepInfo("S26", "stop " + a + " (now SBY)", a, aloneS, true), a, Optional.of(s)));
        steps.add(new LinkNewImage(new StepInfo("S27", linkAction(job, a, imageA), a, aloneS, true), a));
        steps.add(new StartAndCheck(new StepInfo("S28", "start " + a + " on " + imageA + " and check its health", a, aloneS, true), a,
                imageA));
        steps.add(new ResyncGate(new StepInfo("S29", "resync " + a + " from " + s + "; pair back to ACT/SBY", a, aloneS, true), a,
                Optional.of(s)));
        return steps;
    }

    /** S11–S13 for a single VM. */
    static List<UpgradeStep> single(UpgradeJob job) {
        MemberBefore vm = job.system(0);
        String m = vm.member();
        String image = job.targetImages().get(0);
        List<UpgradeStep> steps = new ArrayList<>();
        steps.add(new StopMember(new StepInfo("S11", "stop " + m, m, "nobody", false), m, Optional.empty()));
        steps.add(new LinkNewImage(new StepInfo("S12", linkAction(job, m, image), m, "nobody", false), m));
        steps.add(new StartAndCheck(new StepInfo("S13", "start " + m + " on " + image + " and check its health", m, "nobody", false), m,
                image));
        return steps;
    }

    static StepInfo planRollbackInfo() {
        return new StepInfo("R0", "decide which members go back to their old images", "-", "unchanged", false);
    }

    /**
     * The R steps after R0 decided: the standby first (restored while the active serves), then,
     * if the active must go back too, a switchover to the restored standby and the old active.
     */
    static List<UpgradeStep> rollback(UpgradeJob job, Map<String, String> decision) {
        List<UpgradeStep> steps = new ArrayList<>();
        Optional<String> standby = Optional.ofNullable(decision.get(PlanRollback.RESTORE_STANDBY));
        Optional<String> active = Optional.ofNullable(decision.get(PlanRollback.RESTORE_ACTIVE));
        String servingActive = decision.getOrDefault(PlanRollback.ACTIVE, "-");
        int n = 1;
        Optional<String> serveFirst = Optional.ofNullable(decision.get(PlanRollback.SERVE_FIRST));
        if (serveFirst.isPresent()) {
            // no member reported ACT: the old active, on its old image, serves again before anything else
            String m = serveFirst.get();
            String peer = job.peerOf(m);
            if (Boolean.parseBoolean(decision.get(PlanRollback.START_FIRST))) {
                steps.add(new StartAndCheck(new StepInfo("R" + n++, "start " + m + " again on its old image " + job.member(m).image()
                        + " and check its health", m, "nobody", false), m, job.member(m).image()));
            }
            steps.add(new Switchover(new StepInfo("R" + n++, "switch over: " + m + " ACT, " + peer + " SBY", m, "nobody (switchover gap)", false),
                    m));
        }
        if (standby.isPresent()) {
            String m = standby.get();
            String served = job.isPair() ? servingActive + " alone" : "nobody";
            steps.add(new RestoreOldImage(new StepInfo("R" + n++, "bring " + m + " back on its old image " + job.member(m).image()
                    + " with the same volumes", m, served, job.isPair()), m));
            if (job.isPair()) {
                steps.add(new ResyncGate(new StepInfo("R" + n++, "resync " + m + " from " + servingActive, m, served, true), m, Optional.empty()));
            }
        }
        if (active.isPresent()) {
            String m = active.get();
            String other = job.isPair() ? job.peerOf(m) : m;
            steps.add(new Switchover(new StepInfo("R" + n++, "switch over: " + other + " ACT, " + m + " SBY", other,
                    "nobody (switchover gap)", false), other));
            steps.add(new RestoreOldImage(new StepInfo("R" + n++, "bring " + m + " back on its old image " + job.member(m).image()
                    + " with the same volumes", m, other + " alone", true), m));
            steps.add(new ResyncGate(new StepInfo("R" + n++, "resync " + m + " from " + other + "; pair back to ACT/SBY", m, other + " alone", true),
                    m, Optional.of(other)));
        }
        return steps;
    }

    private static String linkAction(UpgradeJob job, String member, String image) {
        return switch (job.strategy()) {
            case LINK -> "create " + member + " from " + image + " linked to its database volume (mounted at boot)";
            case COPY_AT_BOOT -> "create " + member + " from " + image + " linked to its database volume (copied in at boot,"
                    + " written back to the volume when it stops)";
            case SNAPSHOT_COPY -> "copy " + member + "'s database volume into a new volume; create " + member + " from " + image
                    + " linked to the copy";
        };
    }
}
