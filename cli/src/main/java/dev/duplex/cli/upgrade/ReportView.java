package dev.duplex.cli.upgrade;

import dev.duplex.cli.ByteSize;
import dev.duplex.engine.upgrade.SingleSideWindow;
import dev.duplex.engine.upgrade.StepTiming;
import dev.duplex.engine.upgrade.UpgradePlan;
import dev.duplex.engine.upgrade.PlannedMember;
import dev.duplex.engine.upgrade.PlannedStep;
import dev.duplex.engine.upgrade.UpgradeReport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Upgrade reports and plans as text and as JSON-ready maps, the same fields in both. */
public final class ReportView {
    private ReportView() {}

    public static Map<String, Object> json(UpgradeReport report) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("job_id", report.jobId());
        json.put("kind", report.kind());
        json.put("pair", report.pair());
        json.put("strategy", report.strategy().key());
        json.put("state", report.state().name());
        json.put("error", report.error().orElse(null));
        json.put("single_side_window_ms", report.longestSingleSideWindow().toMillis());
        List<Map<String, Object>> windows = new ArrayList<>();
        for (SingleSideWindow w : report.singleSideWindows()) {
            Map<String, Object> window = new LinkedHashMap<>();
            window.put("served_by", w.servedBy());
            window.put("from_step", w.fromStep());
            window.put("to_step", w.toStep());
            window.put("ms", w.length().toMillis());
            windows.add(window);
        }
        json.put("single_side_windows", windows);
        json.put("switchover_gap_ms", report.switchoverGap().map(Duration::toMillis).orElse(null));
        json.put("downtime_ms", report.downtime().map(Duration::toMillis).orElse(null));
        json.put("bytes_copied", report.bytesCopied());
        json.put("total_ms", report.total().toMillis());
        List<Map<String, Object>> steps = new ArrayList<>();
        for (StepTiming s : report.steps()) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("step", s.id());
            step.put("action", s.action());
            step.put("member", s.member());
            step.put("state", s.state().name());
            step.put("ms", s.elapsed().map(Duration::toMillis).orElse(null));
            String console = s.outputs().get(UpgradeReport.FAILED_VM_CONSOLE);
            step.put("failed_vm_console", console == null ? null : console.lines().toList());
            steps.add(step);
        }
        json.put("steps", steps);
        return json;
    }

    public static void print(UpgradeReport report, PrintWriter out) {
        out.printf("Job %d (%s of %s, strategy %s): %s%s%n", report.jobId(), report.kind(), report.pair(), report.strategy().key(),
                report.state(), report.error().map(e -> " - " + e).orElse(""));
        for (StepTiming s : report.steps()) {
            out.printf("  %-4s %-46s %-14s %-7s %s%n", s.id(), s.action(), s.member(), s.state(),
                    s.elapsed().map(d -> d.toMillis() + " ms").orElse("-"));
        }
        for (SingleSideWindow w : report.singleSideWindows()) {
            out.printf("  single-side window %s-%s: %d ms (only %s served)%n", w.fromStep(), w.toStep(), w.length().toMillis(), w.servedBy());
        }
        report.switchoverGap().ifPresent(g -> out.printf("  switchover gap (S25): %d ms%n", g.toMillis()));
        report.downtime().ifPresent(d -> out.printf("  downtime (S11-S13): %d ms%n", d.toMillis()));
        out.printf("  bytes copied: %s; total: %d ms%n", ByteSize.format(report.bytesCopied()), report.total().toMillis());
        for (StepTiming s : report.steps()) {
            String console = s.outputs().get(UpgradeReport.FAILED_VM_CONSOLE);
            if (console != null) {
                List<String> lines = console.lines().toList();
                int from = Math.max(0, lines.size() - CONSOLE_LINES_SHOWN);
                out.printf("  last %d line(s) of the console of %s's failed VM (all of them are kept in job %d's journal, step %s):%n",
                        lines.size() - from, s.member(), report.jobId(), s.id());
                lines.subList(from, lines.size()).forEach(line -> out.println("    | " + dev.duplex.api.VisibleText.escape(line)));
            }
        }
        out.flush();
    }

    private static final int CONSOLE_LINES_SHOWN = 10;

    public static Map<String, Object> json(UpgradePlan plan) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pair", plan.pair());
        json.put("strategy", plan.strategy().key());
        List<Map<String, Object>> members = new ArrayList<>();
        for (PlannedMember m : plan.members()) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("system", m.system());
            member.put("member", m.member());
            member.put("endpoint", m.endpoint());
            member.put("driver", m.driver());
            member.put("image", m.image());
            member.put("new_image", m.newImage());
            members.add(member);
        }
        json.put("members", members);
        List<Map<String, Object>> steps = new ArrayList<>();
        for (PlannedStep p : plan.steps()) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("step", p.step().id());
            step.put("action", p.step().action());
            step.put("member", p.step().member());
            step.put("serving", p.step().servedBy());
            step.put("predicted_ms", p.predicted().toMillis());
            step.put("basis", p.basis());
            steps.add(step);
        }
        json.put("steps", steps);
        json.put("predicted_single_side_window_ms", plan.predictedSingleSideWindow().toMillis());
        json.put("predicted_switchover_gap_ms", plan.predictedServiceGap().toMillis());
        json.put("notes", plan.notes());
        return json;
    }

    public static void print(UpgradePlan plan, PrintWriter out) {
        out.printf("Plan for pair %s, strategy %s (nothing has been touched):%n", plan.pair(), plan.strategy().key());
        for (PlannedMember m : plan.members()) {
            out.printf("  member %s (system %d): endpoint %s, driver %s, image %s -> %s%n", m.member(), m.system(), m.endpoint(), m.driver(),
                    m.image(), m.newImage());
        }
        out.printf("  %-4s %-46s %-14s %-16s %s%n", "STEP", "ACTION", "MEMBER", "SERVING", "PREDICTED");
        for (PlannedStep p : plan.steps()) {
            out.printf("  %-4s %-46s %-14s %-16s %d ms (%s)%n", p.step().id(), p.step().action(), p.step().member(), p.step().servedBy(),
                    p.predicted().toMillis(), p.basis());
        }
        out.printf("  predicted single-side window: %d ms; predicted switchover gap: %d ms%n",
                plan.predictedSingleSideWindow().toMillis(), plan.predictedServiceGap().toMillis());
        for (String note : plan.notes()) {
            out.printf("  note: %s%n", note);
        }
        out.flush();
    }
}
