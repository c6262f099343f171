package dev.duplex.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM (systemd's stop) or SIGINT while the server runs: the first drains on a thread of its
 * own (the JVM's own handling would close the database under a running step); a second one
 * restores the JVM's handling and raises it, stopping at once.
 */
final class DrainOnSignal implements AutoCloseable {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

    DrainOnSignal(Runnable drain) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal signal = new Signal(name);
            try {
                previous.put(signal, Signal.handle(signal, s -> {
                    if (requested.getAndSet(true)) {
                        close();
                        Signal.raise(s);
                        return;
                    }
                    Thread drainer = new Thread(drain, "duplex-drain");
                    drainer.start();
                }));
            } catch (IllegalArgumentException e) {
                // not available here: keep the JVM's handling
            }
        }
    }

    @Override
    public synchronized void close() {
        previous.forEach(Signal::handle);
        previous.clear();
    }
}
