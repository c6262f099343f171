package dev.duplex.cli.env;

import dev.duplex.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One {@code duplex} invocation in this JVM, its exit code and what it printed. */
record CliRun(int exitCode, String out, String err) {
    static CliRun of(String... args) {
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
