package dev.duplex.driver.vmware;

import com.vmware.vim25.TaskInfo;
import com.vmware.vim25.TaskInfoState;
import com.vmware.vim25.mo.Task;
import dev.duplex.api.DriverException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.UnreachableException;
import java.time.Duration;

/**
 * Waits for vSphere tasks: polls every 50 ms (yavijava's own {@code waitForTask()} sleeps a
 * second between polls, which on a simulator is most of an operation's time) up to a deadline,
 * and turns a failed task into a {@link DriverException} through {@link VsphereFaults}.
 */
final class Tasks {
    private static final long POLL_MILLIS = 50;

    private final Duration deadline;

    Tasks(Duration deadline) {
        this.deadline = deadline;
    }

    /** Waits until {@code task} (of {@code action} on {@code object}) ends; returns its result. */
    Object await(Task task, String action, ObjectId object) {
        long end = System.nanoTime() + deadline.toNanos();
        try {
            while (true) {
                TaskInfo info = task.getTaskInfo();
                if (info.getState() == TaskInfoState.success) {
                    return info.getResult();
                }
                if (info.getState() == TaskInfoState.error) {
                    throw VsphereFaults.translate(info.getError(), action, object);
                }
                if (System.nanoTime() > end) {
                    throw new UnreachableException("Cannot " + action + " " + object + ": the vSphere task did not end within "
                            + deadline.toSeconds() + " s; look at task " + task.getMOR().getVal() + " in vSphere", object);
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("Interrupted while waiting to " + action + " " + object, object, e);
        } catch (DriverException e) {
            throw e;
        } catch (Exception e) {
            throw VsphereFaults.translate(e, action, object);
        }
    }
}
