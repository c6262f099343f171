package dev.duplex.cli.env;

import dev.duplex.cli.CliContext;
import dev.duplex.engine.envsync.AppliedWrite;
import dev.duplex.engine.envsync.DiffApplier;
import dev.duplex.engine.envsync.DiffDecoder;
import dev.duplex.engine.envsync.DiffFormatException;
import dev.duplex.engine.envsync.DiffInfo;
import dev.duplex.engine.envsync.ItemDiff;
import dev.duplex.engine.envsync.SyncRefusedException;
import dev.duplex.engine.envsync.TargetVerificationException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code duplex env apply}: applies a one-item diff to a file in place, atomically. */
@Command(name = "apply", mixinStandardHelpOptions = true, sortOptions = false, description = {
    "Apply a diff (from 'env diff') to a file in place, atomically.",
    "Works offline. Before writing, the diff is checked: its own checksum,",
    "signature, version and entries, then the target's length and CRC32C against",
    "the diff's base. If any check fails nothing is written and the message says",
    "which. The new content goes to a temporary file beside the target, is",
    "fsynced and renamed over it, then verified against the diff's CRC32C.",
    "Applying the same diff twice is refused: the target is no longer the diff's",
    "base.",
    "",
    "Example:",
    "  duplex env apply --diff r1-r2.dxdf --target standby/vars.fd",
    ""
})
public final class EnvApplyCommand implements Runnable {
    private final CliContext context;

    @Option(names = "--diff", required = true, paramLabel = "FILE", description = "The diff file.")
    Path diffFile;

    @Option(names = "--target", required = true, paramLabel = "FILE", description = "The file to bring from the diff's base to its target.")
    Path target;

    public EnvApplyCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        byte[] encoded = OfflineFiles.read(diffFile, "--diff");
        DiffInfo diff;
        try {
            diff = new DiffDecoder().decode(encoded);
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
        OfflineFiles.read(target, "--target");
        var store = new FileItemStore(target, item.name(), diff.header().baseRevision());
        AppliedWrite write;
        try {
            write = new DiffApplier().apply(store, diff);
        } catch (SyncRefusedException e) {
            throw new IllegalArgumentException(refused(e.check().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + " check failed: " + e.getMessage() + alreadyApplied(e, item)), e);
        } catch (TargetVerificationException e) {
            throw new IllegalStateException("Applied " + diffFile + " to " + target + " but the result does not "
                    + "verify: " + e.getMessage() + "; the file was replaced, restore it from a copy", e);
        }
        context.out().println("Applied " + diffFile + " to " + target + ": revision " + write.fromRevision() + " -> "
                + write.toRevision() + ", " + diff.entryCount() + " entries, " + write.bytesWritten()
                + " bytes written; " + item.lengthAfter() + " bytes, CRC32C " + OfflineFiles.hex(item.crcAfter())
                + " verified");
        context.out().flush();
    }

    private String refused(String why) {
        return "Refused to apply " + diffFile + " to " + target + ": " + why + "; " + target + " is unchanged";
    }

    private String alreadyApplied(SyncRefusedException e, ItemDiff item) {
        if (e.check() != SyncRefusedException.Check.BASE_CHECKSUM) {
            return "";
        }
        byte[] content = OfflineFiles.read(target, "--target");
        return content.length == item.lengthAfter() && OfflineFiles.crc32c(content) == item.crcAfter()
                ? " (the target already equals the diff's result: the diff was applied before)"
                : "";
    }
}
