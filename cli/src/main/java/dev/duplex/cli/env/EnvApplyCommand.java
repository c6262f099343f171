package dev.duplex.cli.env;

import dev.duplex.cli.CliContext;
import dev.duplex.engine.envsync.AppliedWrite;
import dev.duplex.engine.envsync.DiffApplier;
import dev.duplex.engine.envsync.DiffBase;
import dev.duplex.engine.envsync.DiffBaseMismatchException;
import dev.duplex.engine.envsync.DiffDecoder;
import dev.duplex.engine.envsync.DiffFormatException;
import dev.duplex.engine.envsync.DiffInfo;
import dev.duplex.engine.envsync.ItemDiff;
import dev.duplex.engine.envsync.SyncRefusedException;
import dev.duplex.engine.envsync.TargetVerificationException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.envsync.FullWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code duplex env apply}: applies a one-item diff to a file in place, atomically, or writes a whole copy over it. */
@Command(name = "apply", sortOptions = false, description = {
    "Apply a diff (from 'env diff') to a file in place, atomically; or, with",
    "--full, write another file's whole content over it the same way (when the",
    "target is damaged or its base is unknown, so no diff fits it).",
    "Works offline. Before writing, the diff is checked: its own checksum,",
    "signature, version and entries, then the target's length and CRC32C against",
    "the diff's base. If any check fails nothing is written and the message says",
    "which; so is a diff whose entries do not give its own after CRC32C. The",
    "target is read once: those checked bytes are patched into a temporary file",
    "(0600) in the target's own folder (a link is followed to the real file),",
    "which gets the target's owner, group and mode, is fsynced and renamed over",
    "it if the target is still the file that was checked; if another process",
    "changed it meanwhile, nothing is written. Only regular files are read.",
    "Applying the same diff twice is refused: the target is no longer the diff's",
    "base.",
}, footer = {"", "Examples:", "  cp examples/env/vars-r7.fd standby-vars.fd && duplex env apply --diff r7-r8.dxdf --target standby-vars.fd",
    "  duplex env apply --full examples/env/vars-r7.fd --target standby-vars.fd"})
public final class EnvApplyCommand implements Runnable {
    private final CliContext context;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Exactly one of the two: what to bring the target to. */
    static final class Source {
        @Option(names = "--diff", required = true, paramLabel = "FILE", description = "The diff file.")
        Path diffFile;

        @Option(names = "--full", required = true, paramLabel = "FILE",
                description = "Write this file's whole content over the target instead of applying a diff.")
        Path fullFile;
    }

    private Path diffFile;

    @Option(names = "--target", required = true, paramLabel = "FILE", description = "The file to bring from the diff's base to its target.")
    Path target;

    @picocli.CommandLine.Mixin
    dev.duplex.cli.OutputOption output = new dev.duplex.cli.OutputOption();

    public EnvApplyCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        if (source.fullFile != null) {
            writeFull(source.fullFile);
            return;
        }
        diffFile = source.diffFile;
        DiffInfo diff;
        try {
            byte[] bytes = OfflineFiles.readDiff(diffFile, "--diff");
            // A compressed diff is read against the target's current bytes, its base; the applier checks them again.
            diff = DiffDecoder.isContainer(bytes)
                    ? new DiffDecoder().decode(bytes, DiffBase.ofContent(OfflineFiles.read(target, "--target")))
                    : new DiffDecoder().decode(bytes);
        } catch (DiffBaseMismatchException e) {
            throw new IllegalArgumentException(refused("base checksum check failed: " + e.getMessage()
                    + " (if the target already holds the diff's result, the diff was applied before)"), e);
        } catch (DiffFormatException e) {
            throw new IllegalArgumentException(refused("the diff file is invalid: " + e.getMessage()), e);
        }
        if (diff.items().size() != 1) {
            throw new IllegalArgumentException(refused("the diff has " + diff.items().size() + " items ("
                    + String.join(", ", diff.items().stream().map(ItemDiff::name).toList())
                    + "); 'env apply' applies a diff of one item to one file"));
        }
        ItemDiff item = diff.items().get(0);
        if (item.change() != ItemDiff.Change.KEPT) {
            throw new IllegalArgumentException(refused("the diff " + (item.change() == ItemDiff.Change.ADDED
                    ? "creates" : "removes") + " item '" + item.name() + "'; 'env apply' changes an existing file"));
        }
        var store = new FileItemStore(target, item.name(), diff.header().baseRevision());
        AppliedWrite write;
        try {
            write = new DiffApplier().apply(store, diff);
        } catch (SyncRefusedException e) {
            throw new IllegalArgumentException(refused(e.check().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + " check failed: " + e.getMessage() + alreadyApplied(e, item)), e);
        } catch (TargetChangedException e) {
            throw new IllegalStateException("Refused to apply " + diffFile + " to " + target + ": " + e.getMessage(), e);
        } catch (TargetVerificationException e) {
            // The result was verified before the rename; a different read-back now means another
            // process wrote the file after it, or the storage returns other bytes than it was given.
            throw new IllegalStateException("Applied " + diffFile + " to " + target + " (the result verified before it "
                    + "replaced the file) but it reads back differently now: " + firstSentence(e.getMessage())
                    + "; another process wrote it since, or its storage is failing: check it before using it", e);
        }
        Map<String, Object> view = view("diff", diffFile, write.bytesWritten(), item.lengthAfter(), item.crcAfter());
        view.put("from_revision", write.fromRevision());
        view.put("to_revision", write.toRevision());
        view.put("entries", diff.entryCount());
        context.printer().object(output, view, out -> out.println("Applied " + diffFile + " to " + target + ": revision "
                + write.fromRevision() + " -> " + write.toRevision() + ", " + diff.entryCount() + " entries, " + write.bytesWritten()
                + " bytes written; " + item.lengthAfter() + " bytes, CRC32C " + OfflineFiles.hex(item.crcAfter()) + " verified"));
    }

    /**
     * The offline full write: the same checks and atomic replacement as a diff's apply, with the
     * whole content as one change and its CRC32C verified on the read-back.
     */
    private void writeFull(Path from) {
        if (from.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("Refused to write " + from + " over " + target + ": they are the same file; "
                    + target + " is unchanged");
        }
        byte[] content = OfflineFiles.read(from, "--full");
        var store = new FileItemStore(target, "content", 0);
        AppliedWrite write;
        try {
            write = new FullWriter().write(store, new EnvironmentSnapshot(0, List.of(new EnvironmentItem("content", content))));
        } catch (TargetChangedException e) {
            throw new IllegalStateException("Refused to write " + from + " over " + target + ": " + e.getMessage(), e);
        } catch (TargetVerificationException e) {
            throw new IllegalStateException("Wrote " + from + " over " + target + " (the result verified before it replaced the file)"
                    + " but it reads back differently now: " + firstSentence(e.getMessage())
                    + "; another process wrote it since, or its storage is failing: check it before using it", e);
        }
        Map<String, Object> view = view("full", from, write.bytesWritten(), content.length, OfflineFiles.crc32c(content));
        context.printer().object(output, view, out -> out.println("Wrote " + from + " over " + target + ": " + write.bytesWritten()
                + " bytes, CRC32C " + OfflineFiles.hex(OfflineFiles.crc32c(content)) + " verified"));
    }

    /**
     * What was written, as docs/output.md describes it (kind "env_apply"); the revisions and entries
     * are a diff's, null for a full write.
     */
    private Map<String, Object> view(String source, Path from, long bytesWritten, long size, int crc) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("target", target);
        view.put("source", source);
        view.put("file", from);
        view.put("from_revision", null);
        view.put("to_revision", null);
        view.put("entries", null);
        view.put("bytes_written", bytesWritten);
        view.put("size_bytes", size);
        view.put("crc32c", OfflineFiles.hex(crc));
        return view;
    }

    private String refused(String why) {
        return "Refused to apply " + diffFile + " to " + target + ": " + why + "; " + target + " is unchanged";
    }

    private static String firstSentence(String message) {
        int end = message.indexOf(". ");
        return end < 0 ? message : message.substring(0, end);
    }

    private String alreadyApplied(SyncRefusedException e, ItemDiff item) {
        if (e.check() != SyncRefusedException.Check.BASE_CHECKSUM) {
            return "";
        }
        byte[] content;
        try {
            content = OfflineFiles.read(target, "--target");
        } catch (RuntimeException unreadable) {
            return "";
        }
        return content.length == item.lengthAfter() && OfflineFiles.crc32c(content) == item.crcAfter()
                ? " (the target already equals the diff's result: the diff was applied before)"
                : "";
    }
}
