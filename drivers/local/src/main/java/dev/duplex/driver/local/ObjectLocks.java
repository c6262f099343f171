package dev.duplex.driver.local;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per object key, so operations on different VMs or volumes never wait for each other.
 * Keys are sorted before several are taken together, so two callers cannot deadlock.
 */
final class ObjectLocks {
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /** A held set of locks, released by {@link #close()}. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Takes the locks of all {@code keys}, in sorted order. */
    Held lock(String... keys) {
        String[] sorted = Arrays.stream(keys).distinct().sorted().toArray(String[]::new);
        ReentrantLock[] taken = new ReentrantLock[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            taken[i] = locks.computeIfAbsent(sorted[i], k -> new ReentrantLock());
            taken[i].lock();
        }
        return () -> {
            for (int i = taken.length - 1; i >= 0; i--) {
                taken[i].unlock();
            }
        };
    }

    /** The lock of one key, for a component that locks on its own. */
    ReentrantLock of(String key) {
        return locks.computeIfAbsent(key, k -> new ReentrantLock());
    }
}
