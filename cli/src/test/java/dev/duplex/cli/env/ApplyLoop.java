package dev.duplex.cli.env;

import dev.duplex.cli.Main;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Map;

/**
 * The child process of {@link ApplyKillTest}: runs the real {@code duplex env apply} over and
 * over, alternating a diff and its reverse, until it is killed (or, with {@code --times N},
 * N times, to warm up a class-data archive). It prints a line after each apply, with its duration, so the test
 * can measure its random kill delay from a warm loop rather than from the JVM's start.
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
        for (long i = 0; i < times; i++) {
            long started = System.nanoTime();
            // Whichever diff does not match the target's current content is refused by its base
            // checksum; the other applies. A concurrent writer makes either refuse now and then.
            Main.run(new String[] {"env", "apply", "--diff", i % 2 == 0 ? forward : backward, "--target", target},
                    Map.of(), discard, discard);
            System.out.println("applied in " + (System.nanoTime() - started) / 1_000_000 + " ms");
            System.out.flush();
        }
    }
}
