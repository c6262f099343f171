package dev.duplex.cli.upgrade;

import dev.duplex.cli.ByteSize;
import dev.duplex.engine.upgrade.StepInfo;
import dev.duplex.engine.upgrade.UpgradeListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Shows an upgrade's live progress: one line per step (step, member, elapsed since the job
 * started), what a step waits for, and a progress bar for copies. The bar redraws in place on a
 * terminal and prints every 10% otherwise, so logs of scripted runs stay readable.
 */
public final class ProgressPrinter implements UpgradeListener {
    private final PrintWriter out;
    private final boolean terminal;
    private final Instant start;
    private int lastDecile = -1;
    private boolean barOpen;

    public ProgressPrinter(PrintWriter out, boolean terminal) {
        this(out, terminal, Instant.now());
    }

    /** A printer whose running total counts from {@code start}: a followed job's first step, not when following began. */
    public ProgressPrinter(PrintWriter out, boolean terminal, Instant start) {
        this.out = out;
        this.terminal = terminal;
        this.start = start;
    }

    @Override
    public void stepStarted(long jobId, StepInfo step) {
        closeBar();
        lastDecile = -1;
        out.printf("%s  %-4s %s%n", clock(), step.id(), step.action());
        out.flush();
    }

    @Override
    public void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
        closeBar();
        out.printf("%s  %-4s done in %s%n", clock(), step.id(), millis(elapsed));
        out.flush();
    }

    @Override
    public void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {
        closeBar();
        out.printf("%s  %-4s FAILED after %s: %s%n", clock(), step.id(), millis(elapsed), error);
        out.flush();
    }

    @Override
    public void stepSkipped(long jobId, StepInfo step) {
        out.printf("%s  %-4s already done (journal)%n", clock(), step.id());
        out.flush();
    }

    @Override
    public void waiting(long jobId, StepInfo step, String what) {
        if (terminal) {
            out.printf("\r%s  %-4s waiting: %s", clock(), step.id(), what);
            barOpen = true;
            out.flush();
        }
    }

    @Override
    public void copyProgress(long jobId, StepInfo step, long copiedBytes, long totalBytes) {
        if (totalBytes <= 0) {
            return;
        }
        int percent = (int) Math.min(100, copiedBytes * 100 / totalBytes);
        if (terminal) {
            int filled = percent * 30 / 100;
            out.printf("\r%s  %-4s [%s%s] %3d%% %s / %s", clock(), step.id(), "#".repeat(filled), ".".repeat(30 - filled), percent,
                    ByteSize.format(copiedBytes), ByteSize.format(totalBytes));
            barOpen = true;
            out.flush();
        } else if (percent / 10 > lastDecile) {
            lastDecile = percent / 10;
            out.printf("%s  %-4s copied %3d%% (%s of %s)%n", clock(), step.id(), percent, ByteSize.format(copiedBytes), ByteSize.format(totalBytes));
            out.flush();
        }
    }

    private void closeBar() {
        if (barOpen) {
            out.println();
            barOpen = false;
        }
    }

    private String clock() {
        long ms = Duration.between(start, Instant.now()).toMillis();
        return String.format(java.util.Locale.ROOT, "%4d.%03ds", ms / 1000, ms % 1000);
    }

    static String millis(Duration d) {
        return d.toMillis() + " ms";
    }
}
