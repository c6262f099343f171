package dev.duplex.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One {@code duplex} invocation in this JVM, its exit code and what it printed. */
public record CliRun(int exitCode, String out, String err) {
    /** Runs {@code duplex --config CONFIG ARGS...} with no DUPLEX_* variables. */
    public static CliRun withConfig(String config, String... args) {
        String[] full = new String[args.length + 2];
        full[0] = "--config";
        full[1] = config;
        System.arraycopy(args, 0, full, 2, args.length);
        return of(full);
    }

    /** Runs {@code duplex ARGS...} with no DUPLEX_* variables. */
    public static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, java.util.Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
