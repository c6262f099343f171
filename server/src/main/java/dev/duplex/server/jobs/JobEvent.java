package dev.duplex.server.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One Server-Sent Event of a job's progress. Its {@code id} counts up within the job, so a client
 * that reconnects with {@code Last-Event-ID} gets only what it missed.
 *
 * @param id the event's number within the job, from 1
 * @param type {@code step-started}, {@code step-ended}, {@code step-failed}, {@code step-skipped},
 *     {@code copy-progress}, {@code waiting} or {@code job-ended}
 * @param job the job
 * @param at when, ISO-8601
 * @param step the step's id ({@code S21}...)
 * @param action what the step does
 * @param member the member it acts on
 * @param elapsedMs how long the step took
 * @param error why it failed
 * @param outputs what the step produced
 * @param copiedBytes bytes copied so far
 * @param totalBytes bytes to copy, -1 when unknown
 * @param waitingFor what the step waits for
 * @param state the job's state at its end
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobEvent(long id, String type, long job, String at, String step, String action, String member, Long elapsedMs,
        String error, Map<String, String> outputs, Long copiedBytes, Long totalBytes, String waitingFor, String state) {
    public static final String JOB_ENDED = "job-ended";

    public JobEvent withId(long newId) {
        return new JobEvent(newId, type, job, at, step, action, member, elapsedMs, error, outputs, copiedBytes, totalBytes, waitingFor, state);
    }

    public boolean ends() {
        return type.equals(JOB_ENDED);
    }
}
