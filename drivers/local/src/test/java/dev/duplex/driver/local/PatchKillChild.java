package dev.duplex.driver.local;

import dev.duplex.api.VmRef;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The process {@link PatchKillTest} kills: writes {@link PatchKillTest#update()} (or, with
 * {@code read}, reads the store, finishing a journal left behind) and, on reaching the named
 * step, says so on stdout and waits to be killed. Prints {@code done} if the step never came.
 *
 * <p>Arguments: the store folder, the step, {@code write} or {@code read}.
 */
public final class PatchKillChild {
    private PatchKillChild() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        String stop = args[1];
        var store = new FileEnvironmentStore(folder, new VmRef("vm-1", "sbx"), new ReentrantLock(), step -> {
            if (step.equals(stop)) {
                System.out.println("reached " + step);
                System.out.flush();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException("woken at " + step);
                }
            }
        });
        if (args[2].equals("read")) {
            store.read();
        } else {
            store.write(PatchKillTest.update());
        }
        System.out.println("done");
    }
}
