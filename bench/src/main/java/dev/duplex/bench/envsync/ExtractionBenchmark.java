package dev.duplex.bench.envsync;

import dev.duplex.engine.envsync.DiffExtractor;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Extraction throughput next to {@code System.arraycopy} of the same buffers, in the same run.
 * Both read {@code size} bytes of {@code before}; extraction also reads {@code after}, arraycopy
 * writes the destination. GB/s = size / (time per op). A few changed runs ({@code runs}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class ExtractionBenchmark {
    @Param({"1048576", "67108864"})
    int size;

    @Param({"10"})
    int runs;

    byte[] before;
    byte[] after;
    byte[] destination;

    @Setup(Level.Trial)
    public void setUp() {
        var random = new Random(1);
        before = new byte[size];
        random.nextBytes(before);
        after = before.clone();
        for (int r = 0; r < runs; r++) {
            int offset = random.nextInt(size - 64);
            for (int i = 0; i < 1 + random.nextInt(64); i++) {
                after[offset + i] ^= (byte) 0x5A;
            }
        }
        destination = new byte[size];
    }

    @Benchmark
    public List<?> extractRuns() {
        return DiffExtractor.changedRuns(before, after);
    }

    @Benchmark
    public byte[] arraycopy() {
        System.arraycopy(before, 0, destination, 0, size);
        return destination;
    }
}
