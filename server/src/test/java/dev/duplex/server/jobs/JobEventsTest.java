package dev.duplex.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobEventsTest {
    private static JobEvent event(long job, String type, String step) {
        return new JobEvent(0, type, job, Instant.now().toString(), step, "act", "vm", null, null, null, null, null, null,
                type.equals(JobEvent.JOB_ENDED) ? "SUCCEEDED" : null);
    }

    private static List<String> drain(JobEvents.Subscription subscription) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        for (Optional<JobEvent> next = subscription.next(50); next.isPresent(); next = subscription.next(50)) {
            seen.add(next.get().id() + " " + next.get().type() + " " + next.get().step());
        }
        return seen;
    }

    @Test
    void aClientThatSubscribesBeforeTheJobsFirstEventGetsEveryEventLive() throws InterruptedException {
        JobEvents events = new JobEvents();
        assertFalse(events.knows(7), "no stream before the job exists");
        events.open(7);
        assertTrue(events.knows(7));

        try (JobEvents.Subscription subscription = events.subscribe(7, 0).orElseThrow()) {
            events.publish(event(7, "step-started", "fence"));
            events.publish(event(7, "step-ended", "fence"));
            events.publish(event(7, JobEvent.JOB_ENDED, null));
            assertEquals(List.of("1 step-started fence", "2 step-ended fence", "3 job-ended null"), drain(subscription));
        }
    }

    @Test
    void openingAJobsStreamAgainKeepsWhatWasPublished() throws InterruptedException {
        JobEvents events = new JobEvents();
        events.publish(event(8, "step-started", "S21"));
        events.open(8);
        try (JobEvents.Subscription subscription = events.subscribe(8, 0).orElseThrow()) {
            assertEquals(List.of("1 step-started S21"), drain(subscription));
        }
    }

    @Test
    void aReconnectingClientGetsOnlyWhatItMissed() throws InterruptedException {
        JobEvents events = new JobEvents();
        events.open(9);
        events.publish(event(9, "step-started", "S21"));
        events.publish(event(9, "step-ended", "S21"));
        try (JobEvents.Subscription subscription = events.subscribe(9, 1).orElseThrow()) {
            assertEquals(List.of("2 step-ended S21"), drain(subscription));
        }
    }
}
