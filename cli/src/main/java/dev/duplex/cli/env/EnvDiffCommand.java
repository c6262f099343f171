package dev.duplex.cli.env;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.cli.CliContext;
import dev.duplex.engine.envsync.DiffBase;
import dev.duplex.engine.envsync.DiffDecoder;
import dev.duplex.engine.envsync.DiffEncoder;
import dev.duplex.engine.envsync.DiffExtractor;
import dev.duplex.engine.envsync.DiffInfo;
import dev.duplex.engine.envsync.ItemDiff;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code duplex env diff}: the FIG. 5 diff between two versions of one file, offline. */
@Command(name = "diff", sortOptions = false, description = {
    "Extract the difference between two versions of a file into a diff file.",
    "A file is one environment item. Works offline: no database, no endpoint. The",
    "file is compared a machine word at a time; the diff holds the changed runs",
    "as diff entries plus both versions' CRC32C checksums (format: docs/diff-",
    "format.md). The item inside the diff is named after the --to file unless",
    "--item says otherwise; the name is only a label, 'env apply' accepts any",
    "one-item diff. When it is smaller, the diff is written as a compressed",
    "container (zstd, OLD as its dictionary; 'env inspect' shows both sizes);",
    "--plain always writes the uncompressed format.",
}, footer = {"", "Examples:", "  duplex env diff --from examples/env/vars-r7.fd --to examples/env/vars-r8.fd --out r7-r8.dxdf --base-revision 7 --target-revision 8"})
public final class EnvDiffCommand implements Runnable {
    private final CliContext context;

    @Option(names = "--from", required = true, paramLabel = "OLD", description = "The old version (what the target holds now).")
    Path from;

    @Option(names = "--to", required = true, paramLabel = "NEW", description = "The new version (what the target should hold).")
    Path to;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the diff (replaced atomically).")
    Path out;

    @Option(names = "--item", paramLabel = "NAME", description = "The item's name inside the diff (default: the file name of NEW).")
    String item;

    @Option(names = "--base-revision", paramLabel = "N", defaultValue = "0", description = "Revision of OLD recorded in the diff (default: ${DEFAULT-VALUE}).")
    long baseRevision;

    @Option(names = "--target-revision", paramLabel = "M", description = "Revision of NEW recorded in the diff (default: base + 1).")
    Long targetRevision;

    @Option(names = "--plain", description = "Write the uncompressed format even when the compressed container is smaller.")
    boolean plain;

    @picocli.CommandLine.Mixin
    dev.duplex.cli.OutputOption output = new dev.duplex.cli.OutputOption();

    public EnvDiffCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        long target = targetRevision == null ? baseRevision + 1 : targetRevision;
        if (baseRevision < 0) {
            throw new IllegalArgumentException("--base-revision must be 0 or more, not " + baseRevision);
        }
        if (target <= baseRevision) {
            throw new IllegalArgumentException("--target-revision (" + target + ") must be above --base-revision ("
                    + baseRevision + "): a diff goes from an older revision to a newer one");
        }
        String name = itemName();
        byte[] before = OfflineFiles.read(from, "--from");
        byte[] after = OfflineFiles.read(to, "--to");
        DiffInfo diff = new DiffExtractor().extract(
                new EnvironmentSnapshot(baseRevision, List.of(new EnvironmentItem(name, before))),
                new EnvironmentSnapshot(target, List.of(new EnvironmentItem(name, after))));
        byte[] encoded = plain ? new DiffEncoder().encode(diff) : new DiffEncoder().encode(diff, DiffBase.ofContent(before));
        AtomicFile.write(out, encoded);
        ItemDiff itemDiff = diff.items().get(0);
        boolean compressed = DiffDecoder.isContainer(encoded);
        // the diff written, as docs/output.md describes it (kind "env_diff")
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("file", out);
        view.put("size_bytes", encoded.length);
        view.put("compressed", compressed);
        view.put("plain_size_bytes", DiffEncoder.encodedSize(diff));
        view.put("entries", diff.entryCount());
        view.put("item", name);
        view.put("size_before_bytes", itemDiff.lengthBefore());
        view.put("size_after_bytes", itemDiff.lengthAfter());
        view.put("base_revision", baseRevision);
        view.put("target_revision", target);
        view.put("identical", itemDiff.unchanged());
        context.printer().object(output, view, text -> text.println("Wrote " + out + ": " + encoded.length + " bytes"
                + (compressed ? " (compressed; plain " + DiffEncoder.encodedSize(diff) + " bytes)" : "")
                + ", " + diff.entryCount()
                + " entries; item '" + name + "' " + itemDiff.lengthBefore() + " -> " + itemDiff.lengthAfter()
                + " bytes, revision " + baseRevision + " -> " + target
                + (itemDiff.unchanged() ? " (the files are identical)" : "")));
    }

    private String itemName() {
        String name = item != null ? item : to.getFileName().toString();
        try {
            new EnvironmentItem(name, new byte[0]);
            return name;
        } catch (IllegalArgumentException e) {
            if (item != null) {
                throw new IllegalArgumentException("--item '" + item + "' is not a valid item name: not blank, "
                        + "no '/', not starting with '.'");
            }
            return "item";
        }
    }
}
