package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A time during which only one member of the pair served: from the moment the other was stopped
 * (S21, S26) until it was back in sync (S24, S29).
 *
 * @param servedBy the member that served alone
 * @param fromStep the step that opened it
 * @param toStep the step that closed it
 * @param length how long it lasted
 */
public record SingleSideWindow(String servedBy, String fromStep, String toStep, Duration length) {
    public SingleSideWindow {
        requireNonNull(servedBy, "servedBy is null");
        requireNonNull(fromStep, "fromStep is null");
        requireNonNull(toStep, "toStep is null");
        requireNonNull(length, "length is null");
    }
}
