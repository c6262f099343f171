package dev.duplex.cli.remote;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.engine.upgrade.StepInfo;
import dev.duplex.engine.upgrade.UpgradeListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows a job's Server-Sent Events ({@code /api/v1/jobs/{id}/events}) and passes each step
 * event to an {@link UpgradeListener}, as the engine would in this process. The stream is read on
 * its own thread, so a stop request (Ctrl-C) is seen within {@link #CHECK_EVERY} even while the
 * server is quiet; a dropped stream is reopened after the last event seen.
 */
final class JobEventStream {
    private static final long CHECK_EVERY = 200;
    private static final Object CLOSED = new Object();

    /** How following ended. */
    enum Outcome { ENDED, DETACHED }

    private final ServerConnection server;

    JobEventStream(ServerConnection server) {
        this.server = requireNonNull(server, "server is null");
    }

    /** Follows job {@code jobId} until its {@code job-ended} event, or until {@code listener} asks to stop (then it detaches). */
    Outcome follow(long jobId, UpgradeListener listener) {
        long lastId = 0;
        while (true) {
            BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
            InputStream stream = server.events("/api/v1/jobs/" + jobId + "/events", lastId);
            Thread reader = new Thread(() -> read(stream, queue), "duplex-job-events");
            reader.setDaemon(true);
            reader.start();
            try {
                while (true) {
                    if (listener.stopRequested()) {
                        return Outcome.DETACHED;
                    }
                    Object next = queue.poll(CHECK_EVERY, TimeUnit.MILLISECONDS);
                    if (next == null) {
                        continue;
                    }
                    if (next == CLOSED) {
                        break; // dropped: reopen after the last event seen
                    }
                    JsonNode event = (JsonNode) next;
                    lastId = Math.max(lastId, event.path("id").asLong());
                    if (dispatch(jobId, event, listener)) {
                        return Outcome.ENDED;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Outcome.DETACHED;
            } finally {
                close(stream);
                reader.interrupt();
            }
        }
    }

    /** Passes one event on; true for the job's end. */
    private static boolean dispatch(long jobId, JsonNode event, UpgradeListener listener) {
        String type = event.path("type").asText();
        if (type.equals("job-ended")) {
            return true;
        }
        StepInfo step = new StepInfo(event.path("step").asText(""), event.path("action").asText(""), event.path("member").asText(""), "",
                false);
        Duration elapsed = Duration.ofMillis(event.path("elapsedMs").asLong());
        switch (type) {
            case "step-started" -> listener.stepStarted(jobId, step);
            case "step-ended" -> {
                Map<String, String> outputs = new LinkedHashMap<>();
                event.path("outputs").fields().forEachRemaining(e -> outputs.put(e.getKey(), e.getValue().asText()));
                listener.stepEnded(jobId, step, elapsed, outputs);
            }
            case "step-failed" -> listener.stepFailed(jobId, step, elapsed, event.path("error").asText(""));
            case "step-skipped" -> listener.stepSkipped(jobId, step);
            case "copy-progress" -> listener.copyProgress(jobId, step, event.path("copiedBytes").asLong(), event.path("totalBytes").asLong(-1));
            case "waiting" -> listener.waiting(jobId, step, event.path("waitingFor").asText(""));
            default -> {
                // a kind of event newer than this CLI: nothing it could print
            }
        }
        return false;
    }

    /** Reads {@code event:}/{@code data:} blocks; each data line is one JSON event. Comments (keep-alives) are skipped. */
    private void read(InputStream stream, BlockingQueue<Object> queue) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        queue.add(server.json().readTree(data.toString()));
                        data.setLength(0);
                    }
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
        } catch (JsonProcessingException e) {
            // a malformed event: treated as a dropped stream, reopened after the last good one
        } catch (IOException e) {
            // closed by us (detached or ended) or dropped by the server
        } finally {
            queue.add(CLOSED);
        }
    }

    private static void close(InputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // nothing left to read from it either way
        }
    }
}
