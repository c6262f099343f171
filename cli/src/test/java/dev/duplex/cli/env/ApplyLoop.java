package dev.duplex.cli.env;

import dev.duplex.cli.Main;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Map;

/**
 * The child process of {@link ApplyKillTest}: runs the real {@code duplex env apply} over and
 * over, alternating a diff and its reverse, until it is killed (or, with {@code --times N},
 * N times, to warm up a class-data archive). It prints "ready" once the loop starts, so the
 * test's random kill delay is measured from the first apply, not from the JVM's start.
 */
public final class ApplyLoop {
    private ApplyLoop() {
    }

    public static void main(String[] args) {
        String forward = args[0];
        String backward = args[1];
        String target = args[2];
        long times = args.length > 4 && args[3].equals("--times") ? Long.parseLong(args[4]) : Long.MAX_VALUE;
        PrintWriter discard = new PrintWriter(Writer.nullWriter());
        System.out.println("ready");
        System.out.flush();
        for (long i = 0; i < times; i++) {
            // Whichever diff does not match the target's current content is refused by its base
            // checksum; the other applies. A concurrent writer makes either refuse now and then.
            Main.run(new String[] {"env", "apply", "--diff", i % 2 == 0 ? forward : backward, "--target", target},
                    Map.of(), discard, discard);
        }
    }
}
