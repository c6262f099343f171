package dev.duplex.cli.upgrade;

import dev.duplex.engine.upgrade.StepInfo;
import dev.duplex.engine.upgrade.UpgradeListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) or SIGTERM while a job runs. The first asks the engine to stop at its next
 * journal point: it hands the job back unfinished and the command prints how to resume it, with
 * the database still open (the JVM's own handling would close it under the running step and leave
 * the job RUNNING). A second signal quits at once, as a kill would; the journal still allows a resume.
 */
final class StopOnSignal implements AutoCloseable {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

    StopOnSignal(PrintWriter err) {
        this(err, "duplex: stopping at the next step boundary (the job can be resumed); press Ctrl-C again to quit at once");
    }

    /** With {@code firstNotice} printed at the first signal (through a server, the CLI detaches: the job goes on there). */
    StopOnSignal(PrintWriter err, String firstNotice) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal signal = new Signal(name);
            try {
                previous.put(signal, Signal.handle(signal, s -> {
                    if (requested.getAndSet(true)) {
                        close();
                        Signal.raise(s); // the second one: the JVM's own handling, at once
                        return;
                    }
                    err.println(firstNotice);
                    err.flush();
                }));
            } catch (IllegalArgumentException e) {
                // the signal is not available here (or reserved by the JVM's options): keep the default
            }
        }
    }

    /** {@code listener}, telling the engine when a stop was asked for. */
    UpgradeListener around(UpgradeListener listener) {
        return new UpgradeListener() {
            @Override
            public void stepStarted(long jobId, StepInfo step) {
                listener.stepStarted(jobId, step);
            }

            @Override
            public void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
                listener.stepEnded(jobId, step, elapsed, outputs);
            }

            @Override
            public void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {
                listener.stepFailed(jobId, step, elapsed, error);
            }

            @Override
            public void stepSkipped(long jobId, StepInfo step) {
                listener.stepSkipped(jobId, step);
            }

            @Override
            public void copyProgress(long jobId, StepInfo step, long copiedBytes, long totalBytes) {
                listener.copyProgress(jobId, step, copiedBytes, totalBytes);
            }

            @Override
            public void waiting(long jobId, StepInfo step, String what) {
                listener.waiting(jobId, step, what);
            }

            @Override
            public boolean stopRequested() {
                return requested.get() || listener.stopRequested();
            }
        };
    }

    @Override
    public synchronized void close() {
        previous.forEach(Signal::handle);
        previous.clear();
    }
}
