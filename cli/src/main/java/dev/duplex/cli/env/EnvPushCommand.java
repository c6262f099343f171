package dev.duplex.cli.env;

import dev.duplex.cli.OutputOption;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.cli.CliContext;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.service.EnvironmentService;
import dev.duplex.engine.failover.PushReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex env push}: seed S300, the active's latest info recorded and the standby's diff stored. */
@Command(name = "push", sortOptions = false, description = {
    "Record the active's environment info; store the standby's diff, ready for a failover.",
    "Run it on every update of the active's info. The items and revision are",
    "recorded for the pair's active VM. The cold standby's current info is read",
    "through its driver (it may be off); if its revision differs, the diff is",
    "extracted and stored now, so that 'duplex failover' only has to apply it.",
}, footer = {"", "Examples:", "  duplex env push kvc --item settings=examples/env/vars-r7.fd --item configuration=examples/env/kv.conf --revision 7"})
public final class EnvPushCommand implements Runnable {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "PAIR")
    String pair;

    @Option(names = "--item", required = true, paramLabel = "NAME=FILE", description = "An item and the file holding its bytes; repeatable, every item of the info.")
    Map<String, Path> items = new LinkedHashMap<>();

    @Option(names = "--revision", required = true, paramLabel = "N", description = "The info's revision (0 or more, never lower than one pushed before).")
    long revision;

    @picocli.CommandLine.Mixin
    OutputOption output = new OutputOption();

    public EnvPushCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        if (revision < 0) {
            throw new IllegalArgumentException("--revision must be 0 or more, not " + revision);
        }
        List<EnvironmentItem> list = new ArrayList<>();
        for (var item : items.entrySet()) {
            byte[] content = OfflineFiles.read(item.getValue(), "--item " + item.getKey());
            try {
                list.add(new EnvironmentItem(item.getKey(), content));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--item " + item.getKey() + "=" + item.getValue() + ": "
                        + e.getMessage() + " (not blank, no '/', not starting with '.')");
            }
        }
        PushReport report = context.services().get(EnvironmentService.class)
                .push(pair, new EnvironmentSnapshot(revision, list), Actor.operatingSystemUser());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("pair", report.pair());
        view.put("active", report.active());
        view.put("standby_vm", report.standby());
        view.put("active_revision", report.activeRevision());
        view.put("standby_revision", report.standbyRevision());
        view.put("diff_stored", report.diffStored());
        view.put("diff_bytes", report.diffBytes());
        view.put("diff_entries", report.diffEntries());
        context.printer().object(output, view, out -> out.println(report.summary()));
    }
}
