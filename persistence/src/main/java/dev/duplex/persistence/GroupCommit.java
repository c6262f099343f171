package dev.duplex.persistence;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * Group commit: the lines that many callers write at once (the jobs' step boundaries, audit
 * entries) go to the database in one statement and one synchronous commit, not one each. Each
 * caller still returns only once its own line is on disk, so a step never runs before its STARTED
 * is durable, and nothing is done before its audit line is.
 *
 * <p>No thread of its own: the first caller that finds nobody writing writes everything queued
 * (its own line among them), then hands the writing on to the oldest line that queued meanwhile,
 * whose caller writes the next group. So a lone job waits for one commit, as before, and under load
 * the lines that queue during one commit share the next.
 *
 * <p>A group that fails is written again line by line, so that one job's bad line (a job deleted
 * under it) fails that job alone and not the others it happened to share a commit with.
 *
 * @param <T> one line
 */
final class GroupCommit<T> {
    /** Lines written in one statement at most: bounds its size and the time a caller leads. */
    static final int MOST_IN_ONE_WRITE = 256;

    /** A queued line: {@code written} when its commit ended (or failed), {@code lead} when its caller is to write the next group. */
    private record Queued<T>(T line, CompletableFuture<Void> written, CompletableFuture<Void> lead) {}

    private final Consumer<List<T>> write;
    private final Object lock = new Object();
    private final ArrayDeque<Queued<T>> queued = new ArrayDeque<>(); // guarded by lock
    private boolean writing; // guarded by lock

    /** {@code write} writes its lines in one transaction, or throws and writes none. */
    GroupCommit(Consumer<List<T>> write) {
        this.write = write;
    }

    /** Writes {@code line}, committed, alone or with others'; throws what writing it threw. */
    void write(T line) {
        Queued<T> mine = new Queued<>(line, new CompletableFuture<>(), new CompletableFuture<>());
        boolean lead;
        synchronized (lock) {
            queued.add(mine);
            lead = !writing;
            writing = true;
        }
        if (!lead) {
            CompletableFuture.anyOf(mine.written(), mine.lead()).handle((any, failure) -> null).join();
        }
        if (!mine.written().isDone()) {
            writeQueued(); // this caller's turn: the oldest queued line is its own, so it is in the group written
        }
        outcome(mine);
    }

    private static void outcome(Queued<?> line) {
        try {
            line.written().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure : e;
        }
    }

    /** Writes one group (the queued lines, oldest first, up to the limit), then hands the writing on or stops. */
    private void writeQueued() {
        List<Queued<T>> group = new ArrayList<>();
        synchronized (lock) {
            while (!queued.isEmpty() && group.size() < MOST_IN_ONE_WRITE) {
                group.add(queued.poll());
            }
        }
        try {
            writeGroup(group);
        } finally {
            Queued<T> next;
            synchronized (lock) {
                next = queued.peek();
                writing = next != null;
            }
            if (next != null) {
                next.lead().complete(null);
            }
        }
    }

    private void writeGroup(List<Queued<T>> group) {
        try {
            write.accept(group.stream().map(Queued::line).toList());
            group.forEach(line -> line.written().complete(null));
            return;
        } catch (RuntimeException | Error e) {
            if (group.size() == 1) {
                group.get(0).written().completeExceptionally(e);
                return;
            }
        }
        for (Queued<T> queuedLine : group) {
            try {
                write.accept(List.of(queuedLine.line()));
                queuedLine.written().complete(null);
            } catch (RuntimeException | Error e) {
                queuedLine.written().completeExceptionally(e);
            }
        }
    }
}
