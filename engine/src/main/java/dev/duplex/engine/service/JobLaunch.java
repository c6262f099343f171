package dev.duplex.engine.service;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A job's work started on an executor, which its caller waits for only until the job exists (a
 * server answers 202 then). The work is handed the future to complete with the job's number as
 * soon as it has one; a refusal before that is thrown to the caller as it is.
 */
record JobLaunch<R>(long jobId, CompletableFuture<R> report) {

    static <R> JobLaunch<R> start(Function<CompletableFuture<Long>, R> work, ToLongFunction<R> jobIdOf,
            Executor executor, String what) {
        CompletableFuture<Long> created = new CompletableFuture<>();
        CompletableFuture<R> report = CompletableFuture.supplyAsync(() -> work.apply(created), executor);
        report.whenComplete((done, failure) -> {
            if (failure != null) {
                created.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            } else {
                created.complete(jobIdOf.applyAsLong(done));
            }
        });
        try {
            return new JobLaunch<>(created.get(), report);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what + " started", e);
        }
    }
}
