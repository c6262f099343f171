package dev.duplex.bench.envsync;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDictContentType;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.envsync.DiffBase;
import dev.duplex.engine.envsync.DiffDecoder;
import dev.duplex.engine.envsync.DiffEncoder;
import dev.duplex.engine.envsync.DiffExtractor;
import dev.duplex.engine.envsync.DiffInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Diff sizes on real firmware variable stores: for each OLD NEW pair, the plain FIG. 5 diff, zstd
 * of those FIG. 5 bytes against OLD (no entry columns, to show what the columns buy), the
 * compressed container (DXDZ) and a VCDIFF by {@code xdelta3 -9 -e -s OLD NEW}, all in bytes. Each
 * container is decoded against OLD and checked to give the same diff before it is counted.
 *
 * <p>Run: {@code java -cp bench/target/duplex-bench.jar dev.duplex.bench.envsync.FirmwareDiffSizes
 * OLD NEW [OLD NEW ...]}; {@code bench/scripts/ovmf-var-pairs.sh} makes OVMF pairs by booting QEMU.
 * Prints a Markdown table. Without xdelta3 on the PATH its column says so.
 */
public final class FirmwareDiffSizes {
    private FirmwareDiffSizes() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 0 || args.length % 2 != 0) {
            System.err.println("usage: FirmwareDiffSizes OLD NEW [OLD NEW ...]  (firmware variable stores, in pairs)");
            System.exit(2);
        }
        List<String> rows = new ArrayList<>();
        rows.add("| pair | store bytes | changed bytes | FIG. 5 | zstd of FIG. 5 | container (DXDZ) | written | xdelta3 -9 | container / xdelta3 |");
        rows.add("|---|---:|---:|---:|---:|---:|---|---:|---:|");
        for (int i = 0; i < args.length; i += 2) {
            rows.add(row(Path.of(args[i]), Path.of(args[i + 1])));
        }
        rows.forEach(System.out::println);
    }

    private static String row(Path oldFile, Path newFile) throws IOException, InterruptedException {
        byte[] before = Files.readAllBytes(oldFile);
        byte[] after = Files.readAllBytes(newFile);
        var base = new EnvironmentSnapshot(1, List.of(new EnvironmentItem("settings", before)));
        var target = new EnvironmentSnapshot(2, List.of(new EnvironmentItem("settings", after)));
        DiffInfo diff = new DiffExtractor().extract(base, target);
        byte[] plain = new DiffEncoder().encode(diff);
        byte[] container = new DiffEncoder().encodeContainer(diff, DiffBase.of(base));
        byte[] written = new DiffEncoder().encode(diff, DiffBase.of(base));
        if (!new DiffDecoder().decode(container, DiffBase.of(base)).equals(diff)) {
            throw new IllegalStateException("the container of " + oldFile + " -> " + newFile + " does not decode to its diff");
        }
        Optional<Long> vcdiff = xdelta3(oldFile, newFile);
        return String.format(Locale.ROOT, "| %s → %s | %d | %d | %d | %d | %d | %s | %s | %s |",
                oldFile.getFileName(), newFile.getFileName(), after.length, changedBytes(before, after), plain.length,
                zstdOf(plain, before), container.length, DiffDecoder.isContainer(written) ? "container" : "FIG. 5",
                vcdiff.map(String::valueOf).orElse("no xdelta3"),
                vcdiff.map(v -> String.format(Locale.ROOT, "%.2f", (double) container.length / v)).orElse("-"));
    }

    private static long changedBytes(byte[] before, byte[] after) {
        long changed = Math.abs((long) after.length - before.length);
        for (int i = 0; i < Math.min(before.length, after.length); i++) {
            if (before[i] != after[i]) {
                changed++;
            }
        }
        return changed;
    }

    /** zstd at the container's level of the FIG. 5 bytes as they are, against the same dictionary. */
    private static int zstdOf(byte[] plain, byte[] dictionary) {
        try (var zstd = new ZstdCompressCtx()) {
            zstd.setLevel(19);
            zstd.setChecksum(false);
            zstd.setDictID(false);
            zstd.loadDict(dictionary, ZstdDictContentType.RAW_CONTENT);
            return zstd.compress(plain).length;
        }
    }

    private static Optional<Long> xdelta3(Path oldFile, Path newFile) throws IOException, InterruptedException {
        Path out = Files.createTempFile("duplex-bench-", ".vcdiff");
        try {
            Process process = new ProcessBuilder("xdelta3", "-9", "-e", "-f", "-s", oldFile.toString(), newFile.toString(),
                    out.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return Optional.of(Files.size(out));
        } catch (IOException notInstalled) {
            return Optional.empty();
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
