package dev.duplex.cli.env;

import dev.duplex.cli.OutputOption;

import dev.duplex.cli.CliContext;
import dev.duplex.cli.OutputFormat;
import dev.duplex.engine.envsync.DiffBase;
import dev.duplex.engine.envsync.DiffBaseMismatchException;
import dev.duplex.engine.envsync.DiffContainerHeader;
import dev.duplex.engine.envsync.DiffDecoder;
import dev.duplex.engine.envsync.DiffEncoder;
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
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex env inspect}: a diff file's header, items and entries. */
@Command(name = "inspect", sortOptions = false, description = {
    "Show a diff file's header, items and entries.",
    "The header: signature, version, base and target revision, checksum. Each",
    "item's change, lengths and CRC32C before and after, and every diff entry",
    "(flag DATA/AREA/CONT/INVALID, offset, size, data in hex). Offsets of CONT",
    "entries are relative to their AREA entry, as in the file. A file that fails",
    "any reading rule of docs/diff-format.md is refused with the rule it broke.",
    "A compressed diff (container DXDZ) shows its size, the size of the plain",
    "diff inside and the ratio; its items and entries need its base, the file",
    "the diff goes from (--base), which is checked against the CRC32C the",
    "container records.",
}, footer = {"", "Examples:", "  duplex env inspect r7-r8.dxdf --base examples/env/vars-r7.fd", "  duplex env inspect r7-r8.dxdf --base examples/env/vars-r7.fd --output json"})
public final class EnvInspectCommand implements Runnable {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "FILE", description = "The diff file.")
    Path file;

    @Option(names = "--base", paramLabel = "OLD", description = "The file the diff goes from: a compressed diff's "
            + "dictionary, needed to show its items and entries (ignored for a plain diff).")
    Path base;

    @picocli.CommandLine.Mixin
    OutputOption output = new OutputOption();

    public EnvInspectCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        byte[] bytes;
        DiffInfo diff = null;
        Optional<DiffContainerHeader> container = Optional.empty();
        var decoder = new DiffDecoder();
        try {
            bytes = OfflineFiles.readDiff(file, "diff");
            if (DiffDecoder.isContainer(bytes)) {
                container = Optional.of(decoder.containerHeader(bytes));
                if (base != null) {
                    diff = decoder.decode(bytes, DiffBase.ofContent(OfflineFiles.read(base, "--base")));
                }
            } else {
                diff = decoder.decode(bytes);
            }
        } catch (DiffBaseMismatchException e) {
            throw new IllegalArgumentException("--base " + base + " is not the base of " + file + ": " + e.getMessage(), e);
        } catch (DiffFormatException e) {
            throw new IllegalArgumentException(file + " is not a valid diff: " + e.getMessage(), e);
        }
        // The FIG. 5 bytes: the file, or what the container holds (encoding a decoded diff gives its bytes back).
        byte[] fig5 = container.isEmpty() ? bytes : diff == null ? null : new DiffEncoder().encode(diff);
        if (output.structured()) {
            json(bytes, container, diff, fig5);
        } else {
            text(bytes, container, diff, fig5);
        }
    }

    private void json(byte[] bytes, Optional<DiffContainerHeader> container, DiffInfo diff, byte[] fig5) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("file", file.toString());
        json.put("size_bytes", bytes.length);
        json.put("container", container.map(this::containerJson).orElse(null));
        if (diff == null) {
            DiffContainerHeader header = container.orElseThrow();
            json.put("base_revision", header.baseRevision());
            json.put("target_revision", header.targetRevision());
            json.put("entry_count", header.entryCount());
            json.put("items", null);
            context.printer().object(output, json);
            return;
        }
        DiffHeader header = diff.header();
        json.put("signature", ascii(header.signature()));
        json.put("version", header.version());
        json.put("base_revision", header.baseRevision());
        json.put("target_revision", header.targetRevision());
        json.put("checksum", OfflineFiles.hex(checksum(fig5)));
        json.put("entry_count", diff.entryCount());
        List<Map<String, Object>> items = new ArrayList<>();
        for (ItemDiff item : diff.items()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", item.name());
            row.put("change", item.change().name());
            row.put("size_before_bytes", item.lengthBefore());
            row.put("size_after_bytes", item.lengthAfter());
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
        context.printer().object(output, json);
    }

    private Map<String, Object> containerJson(DiffContainerHeader header) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("signature", "DXDZ");
        json.put("version", header.version());
        json.put("compression", "zstd");
        json.put("size_bytes", header.totalLength());
        json.put("plain_size_bytes", header.diffLength());
        json.put("ratio", Math.round(header.ratio() * 100) / 100.0);
        json.put("base_size_bytes", header.baseLength());
        json.put("base_crc32c", OfflineFiles.hex(header.baseCrc()));
        json.put("base_verified", base != null);
        json.put("checksum", OfflineFiles.hex(header.checksum()));
        return json;
    }

    private void text(byte[] bytes, Optional<DiffContainerHeader> container, DiffInfo diff, byte[] fig5) {
        var out = context.out();
        out.printf("diff       %s, %d bytes%n", file, bytes.length);
        if (container.isPresent()) {
            DiffContainerHeader c = container.get();
            out.printf("container  DXDZ version %d, zstd: %d bytes for a plain diff of %d bytes (ratio %s:1)%n",
                    c.version(), c.totalLength(), c.diffLength(), String.format(Locale.ROOT, "%.2f", c.ratio()));
            out.printf("base       %d bytes, CRC32C %s (%s)%n", c.baseLength(), OfflineFiles.hex(c.baseCrc()),
                    base == null ? "not given" : "matches " + base);
            if (diff == null) {
                out.printf("revision   %d -> %d%n", c.baseRevision(), c.targetRevision());
                out.printf("checksum   %s (CRC32C of the container's %d bytes before it; verified)%n",
                        OfflineFiles.hex(c.checksum()), c.totalLength() - 4);
                out.printf("entries    %d; to show them, give the file the diff goes from: --base OLD%n", c.entryCount());
                out.flush();
                return;
            }
        }
        DiffHeader header = diff.header();
        out.printf("signature  %s%n", signature(header.signature()));
        out.printf("version    %d%n", header.version());
        out.printf("revision   %d -> %d%n", header.baseRevision(), header.targetRevision());
        out.printf("checksum   %s (CRC32C of the %d bytes before it; verified)%n", OfflineFiles.hex(checksum(fig5)),
                fig5.length - 4);
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

    private static int checksum(byte[] fig5) {
        return ByteBuffer.wrap(fig5, fig5.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static String signature(int signature) {
        return ascii(signature) + " (" + OfflineFiles.hex(signature) + ")";
    }

    private static String ascii(int signature) {
        byte[] ascii = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(signature).array();
        return new String(ascii, StandardCharsets.US_ASCII);
    }
}
