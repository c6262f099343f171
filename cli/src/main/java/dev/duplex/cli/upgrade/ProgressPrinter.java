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
 *
 * <p>A step that goes quiet (a health check that waits up to its timeout, a VM start, a copy)
 * is never silent for long: after {@link #STILL_EVERY} without a line, a line says it still runs
 * or waits, for what, and for how long; so does every further {@code STILL_EVERY}. A small daemon
 * thread per running step keeps that time; it ends with the step.
 */
public final class ProgressPrinter implements UpgradeListener {
    /** The longest a running step goes without a line. */
    static final Duration STILL_EVERY = Duration.ofSeconds(5);

    private final PrintWriter out;
    private final boolean terminal;
    private final Instant start;
    private final Duration stillEvery;
    private int lastDecile = -1;
    private boolean barOpen;
    // the running step, since when, what it waits for, and when a line last said anything: guarded by this
    private StepInfo running;
    private long runningSince;
    private String waitingFor;
    private long lastLine;

    public ProgressPrinter(PrintWriter out, boolean terminal) {
        this(out, terminal, Instant.now());
    }

    /** A printer whose running total counts from {@code start}: a followed job's first step, not when following began. */
    public ProgressPrinter(PrintWriter out, boolean terminal, Instant start) {
        this(out, terminal, start, STILL_EVERY);
    }

    ProgressPrinter(PrintWriter out, boolean terminal, Instant start, Duration stillEvery) {
        this.out = out;
        this.terminal = terminal;
        this.start = start;
        this.stillEvery = stillEvery;
    }

    @Override
    public synchronized void stepStarted(long jobId, StepInfo step) {
        closeBar();
        lastDecile = -1;
        out.printf("%s  %-4s %s%n", clock(), step.id(), step.action());
        out.flush();
        running = step;
        runningSince = System.nanoTime();
        waitingFor = null;
        lastLine = runningSince;
        Thread ticker = new Thread(() -> tick(step), "duplex-progress-" + step.id());
        ticker.setDaemon(true);
        ticker.start();
    }

    @Override
    public synchronized void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
        running = null;
        closeBar();
        out.printf("%s  %-4s done in %s%n", clock(), step.id(), millis(elapsed));
        out.flush();
    }

    @Override
    public synchronized void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {
        running = null;
        closeBar();
        out.printf("%s  %-4s FAILED after %s: %s%n", clock(), step.id(), millis(elapsed), error);
        out.flush();
    }

    @Override
    public synchronized void stepSkipped(long jobId, StepInfo step) {
        closeBar();
        out.printf("%s  %-4s already done (journal)%n", clock(), step.id());
        out.flush();
    }

    /**
     * The step waits (a health check, the standby catching up). The first wait of a step is shown
     * at once; later answers are shown by the every-few-seconds line, so a poll every 200 ms does
     * not flood a log.
     */
    @Override
    public synchronized void waiting(long jobId, StepInfo step, String what) {
        boolean first = waitingFor == null;
        // what a member's service answered (a health check's detail) reaches the terminal: shown, never acted on
        waitingFor = dev.duplex.api.VisibleText.escape(what);
        if (terminal) {
            out.printf("\r%s  %-4s waiting for %s", clock(), step.id(), waitingFor);
            barOpen = true;
            out.flush();
            lastLine = System.nanoTime();
        } else if (first) {
            out.printf("%s  %-4s waiting for %s%n", clock(), step.id(), waitingFor);
            out.flush();
            lastLine = System.nanoTime();
        }
    }

    @Override
    public synchronized void copyProgress(long jobId, StepInfo step, long copiedBytes, long totalBytes) {
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
            lastLine = System.nanoTime();
        } else if (percent / 10 > lastDecile) {
            lastDecile = percent / 10;
            out.printf("%s  %-4s copied %3d%% (%s of %s)%n", clock(), step.id(), percent, ByteSize.format(copiedBytes), ByteSize.format(totalBytes));
            out.flush();
            lastLine = System.nanoTime();
        }
    }

    /** Runs on the step's ticker thread until the step ends: says it still runs whenever it was quiet for {@link #stillEvery}. */
    private void tick(StepInfo step) {
        long pause = Math.max(10, stillEvery.toMillis() / 5);
        while (true) {
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (running != step) {
                    return;
                }
                long now = System.nanoTime();
                if (now - lastLine >= stillEvery.toNanos()) {
                    still(step, Duration.ofNanos(now - runningSince));
                    lastLine = now;
                }
            }
        }
    }

    private void still(StepInfo step, Duration so) {
        String what = waitingFor != null ? "still waiting for " + waitingFor : "still running: " + step.action();
        if (terminal) {
            out.printf("\r%s  %-4s %s (%d s)", clock(), step.id(), what, so.toSeconds());
            barOpen = true;
        } else {
            out.printf("%s  %-4s %s (%d s)%n", clock(), step.id(), what, so.toSeconds());
        }
        out.flush();
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
