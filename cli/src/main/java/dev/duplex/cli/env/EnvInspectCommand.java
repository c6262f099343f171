package dev.duplex.cli.env;

import dev.duplex.cli.OutputOption;

import dev.duplex.cli.CliContext;
import dev.duplex.cli.OutputFormat;
import dev.duplex.engine.envsync.DiffDecoder;
import dev.duplex.engine.envsync.DiffEntry;
import dev.duplex.engine.envsync.DiffFormatException;
import dev.duplex.engine.envsync.DiffHeader;
import dev.duplex.engine.envsync.DiffInfo;
import dev.duplex.engine.envsync.EntryFlag;
import dev.duplex.engine.envsync.ItemDiff;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code duplex env inspect}: a diff file's header, items and entries. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false, description = {
    "Show a diff file's header, items and entries.",
    "The header: signature, version, base and target revision, checksum. Each",
    "item's change, lengths and CRC32C before and after, and every FIG. 5 entry",
    "(flag DATA/AREA/CONT/INVALID, offset, size, data in hex). Offsets of CONT",
    "entries are relative to their AREA entry, as in the file. A file that fails",
    "any reading rule of docs/diff-format.md is refused with the rule it broke.",
    "",
    "Examples:",
    "  duplex env inspect r1-r2.dxdf",
    "  duplex env inspect r1-r2.dxdf --output json | jq '.entry_count'",
    ""
})
public final class EnvInspectCommand implements Runnable {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "FILE", description = "The diff file.")
    Path file;

    @picocli.CommandLine.Mixin
    OutputOption output = new OutputOption();

    public EnvInspectCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        byte[] bytes;
        DiffInfo diff;
        try {
            bytes = OfflineFiles.readDiff(file, "diff");
            diff = new DiffDecoder().decode(bytes);
        } catch (DiffFormatException e) {
            throw new IllegalArgumentException(file + " is not a valid diff: " + e.getMessage(), e);
        }
        DiffHeader header = diff.header();
        int checksum = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (output.format() == OutputFormat.JSON) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("file", file.toString());
            json.put("size", bytes.length);
            json.put("signature", signature(header.signature()));
            json.put("version", header.version());
            json.put("base_revision", header.baseRevision());
            json.put("target_revision", header.targetRevision());
            json.put("checksum", OfflineFiles.hex(checksum));
            json.put("entry_count", diff.entryCount());
            List<Map<String, Object>> items = new ArrayList<>();
            for (ItemDiff item : diff.items()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", item.name());
                row.put("change", item.change().name());
                row.put("length_before", item.lengthBefore());
                row.put("length_after", item.lengthAfter());
                row.put("crc32c_before", OfflineFiles.hex(item.crcBefore()));
                row.put("crc32c_after", OfflineFiles.hex(item.crcAfter()));
                List<Map<String, Object>> entries = new ArrayList<>();
                for (DiffEntry entry : item.entries()) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("flag", entry.flag().name());
                    e.put("offset", entry.offset());
                    e.put("size", entry.size());
                    e.put("data", HexFormat.of().formatHex(entry.data()));
                    entries.add(e);
                }
                row.put("entries", entries);
                items.add(row);
            }
            json.put("items", items);
            context.printer().object(json);
            return;
        }
        var out = context.out();
        out.printf("diff       %s, %d bytes%n", file, bytes.length);
        out.printf("signature  %s%n", signature(header.signature()));
        out.printf("version    %d%n", header.version());
        out.printf("revision   %d -> %d%n", header.baseRevision(), header.targetRevision());
        out.printf("checksum   %s (CRC32C of the %d bytes before it; verified)%n", OfflineFiles.hex(checksum),
                bytes.length - 4);
        out.printf("entries    %d in %d item(s)%n%n", diff.entryCount(), diff.items().size());
        List<List<Object>> items = new ArrayList<>();
        for (ItemDiff item : diff.items()) {
            items.add(List.of(item.name(), item.change().name().toLowerCase(Locale.ROOT),
                    item.lengthBefore() + " -> " + item.lengthAfter(),
                    OfflineFiles.hex(item.crcBefore()) + " -> " + OfflineFiles.hex(item.crcAfter()),
                    item.entries().size()));
        }
        context.printer().rows(OutputFormat.TABLE, List.of("item", "change", "length", "crc32c", "entries"), items);
        List<List<Object>> entries = new ArrayList<>();
        for (ItemDiff item : diff.items()) {
            int index = 0;
            for (DiffEntry entry : item.entries()) {
                entries.add(List.of(item.name(), index++, entry.flag().name(),
                        (entry.flag() == EntryFlag.CONT ? "+" : "") + "0x" + Integer.toHexString(entry.offset()),
                        entry.size(), HexFormat.of().formatHex(entry.data())));
            }
        }
        if (!entries.isEmpty()) {
            out.println();
            context.printer().rows(OutputFormat.TABLE, List.of("item", "#", "flag", "offset", "size", "data"), entries);
        }
        out.flush();
    }

    private static String signature(int signature) {
        byte[] ascii = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(signature).array();
        return new String(ascii, StandardCharsets.US_ASCII) + " (" + OfflineFiles.hex(signature) + ")";
    }
}
