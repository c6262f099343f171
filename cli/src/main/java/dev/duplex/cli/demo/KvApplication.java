package dev.duplex.cli.demo;

import dev.duplex.engine.demo.DemoApplication;
import dev.duplex.example.kv.KvLog;
import dev.duplex.example.kv.LoadClient;
import dev.duplex.example.kv.MiniHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The replicated key-value example as the demo's application: its database format, its client and its service address. */
public final class KvApplication implements DemoApplication {
    private static final Logger log = LoggerFactory.getLogger(KvApplication.class);
    /** The size of each value the fill writes. */
    private static final int VALUE_SIZE = 32 << 10;

    private final MemberProbe probe = new MemberProbe();

    @Override
    public void fill(Path data, long bytes) throws IOException {
        KvLog.fill(data, bytes, VALUE_SIZE);
    }

    @Override
    public Checksum checksum(Path data) throws IOException {
        KvLog.Checksum sum = KvLog.checksum(data);
        return new Checksum(sum.sha256(), sum.seq());
    }

    @Override
    public Checksum checksum(Path data, long upToSeq) throws IOException {
        KvLog.Checksum sum = KvLog.checksum(data, upToSeq);
        return new Checksum(sum.sha256(), sum.seq());
    }

    @Override
    public void awaitHealthy(String member, int port, Duration timeout) {
        probe.awaitHealthy(member, port, timeout);
    }

    @Override
    public void awaitInSync(String member, int port, Duration timeout) {
        probe.awaitInSync(member, port, timeout);
    }

    @Override
    public ServiceAddress serviceAddress(String hostPort) throws IOException {
        dev.duplex.example.kv.ServiceAddress address = dev.duplex.example.kv.ServiceAddress.start(0, hostPort, event -> log.info("{}", event));
        return new ServiceAddress() {
            @Override
            public int port() {
                return address.port();
            }

            @Override
            public void repoint(String target) {
                address.repoint(target);
            }

            @Override
            public void close() throws IOException {
                address.close();
            }
        };
    }

    @Override
    public ClientLoad startLoad(int port, int rate) {
        LoadClient client = LoadClient.start(LoadClient.Options.of("127.0.0.1", port).withRate(rate));
        return new ClientLoad() {
            @Override
            public LoadStats stop() {
                LoadClient.Stats stats = client.stop();
                return new LoadStats(stats.requests(), stats.failedAfterRetry(), stats.retries(), stats.longestGapMs());
            }

            @Override
            public Optional<Instant[]> gapAround(Instant at) {
                return client.gapAround(at);
            }
        };
    }

    /** PUTs every 2 ms until one is accepted. */
    @Override
    public long firstAcceptedWrite(int port, long deadlineNanos) {
        byte[] value = "written right after the failover".getBytes(StandardCharsets.UTF_8);
        while (System.nanoTime() < deadlineNanos) {
            try {
                MiniHttp.Response response = MiniHttp.send("127.0.0.1", port, "PUT", "/kv/first-write", value, 500);
                if (response.status() == 200) {
                    return System.nanoTime();
                }
            } catch (IOException e) {
                // not listening yet, or not ACT yet: try again
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("no write accepted on port " + port);
    }
}
