package dev.duplex.example.kv;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The database of the key-value service: one append-only file {@code kv.log} in the data folder.
 *
 * <p>File layout: the 8-byte header {@code DXKVLOG1}, then records, each
 * {@code int payloadLength | long seq | short keyLength | key (UTF-8) | value | int crc32c(payload)}.
 * Sequence numbers are dense (1, 2, 3, ...): the ACT assigns {@code last + 1}, the SBY copies the
 * ACT's records byte for byte, so two members that hold the same records hold identical files and the
 * same {@link #checksum checksum}.
 *
 * <p>Only an index lives in memory (key → seq, seq → file offset); values are read from the file, so
 * a 1 GiB database fits a 64 MiB heap. The index is checkpointed to {@code kv.index} (at close, after
 * a fill, and periodically): since the log is append-only, a checkpoint stays valid for the prefix it
 * covers and a start only scans the tail written after it. Start-up time therefore does not grow with
 * the database, which is what makes the zero-copy upgrade's window independent of its size.
 *
 * <p>Durability: {@link #append} returns after an {@code fsync} that covers the record. Concurrent
 * writers share fsyncs (group commit: one {@code force} covers every record appended before it began),
 * so there is no timer and no fixed delay. A torn record at the tail (a crash mid-write) is cut off at
 * start.
 *
 * <p>The file is locked while open: a second process on the same folder (an old VM still running on
 * the linked volume) fails at once instead of corrupting it.
 */
public final class KvLog implements Closeable {
    /** Name of the log file in the data folder. */
    public static final String LOG_FILE = "kv.log";
    /** Name of the index checkpoint in the data folder. */
    public static final String INDEX_FILE = "kv.index";
    static final int MAX_KEY_BYTES = 256;
    static final int MAX_VALUE_BYTES = 8 << 20;
    private static final byte[] HEADER = "DXKVLOG1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INDEX_HEADER = "DXKVIDX1".getBytes(StandardCharsets.US_ASCII);
    /** payload length + seq + key length + crc. */
    static final int RECORD_OVERHEAD = 4 + 8 + 2 + 4;

    /** One decoded record. */
    public record LogRecord(long seq, String key, byte[] value, int crc) {}

    /** A database checksum: SHA-256 over the log file up to and including record {@code seq}. */
    public record Checksum(String sha256, long seq, long bytes) {
        /** Tiny JSON form, as served by {@code GET /checksum}. */
        public String toJson() {
            return Json.object("algorithm", "SHA-256", "checksum", sha256, "seq", seq, "bytes", bytes);
        }
    }

    /** What {@link #open} found; logged by the server. */
    public record OpenReport(boolean fromIndex, long tailRecords, long truncatedBytes, long millis) {}

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final Map<String, Long> keys = new HashMap<>(1 << 16); // key -> seq of its latest record
    private long[] offsets = new long[1024];                 // offsets[seq - 1] = start of record seq
    private long lastSeq;
    private long end;                                         // where the next record goes
    private volatile long durableSeq;                         // highest seq covered by an fsync
    private final Object forceLock = new Object();
    private long checkpointSeq;
    private OpenReport openReport;
    private boolean closed;

    private KvLog(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Opens (creating if needed) the log in {@code dir} and rebuilds the index. */
    public static KvLog open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(LOG_FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IOException(file + " is in use by another process (is the old VM still running on this volume?)");
        }
        KvLog log = new KvLog(dir, channel, lock);
        try {
            log.recover();
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        return log;
    }

    private void recover() throws IOException {
        long started = System.nanoTime();
        if (channel.size() == 0) {
            channel.write(ByteBuffer.wrap(HEADER), 0);
            channel.force(true);
        }
        byte[] header = new byte[HEADER.length];
        if (channel.read(ByteBuffer.wrap(header), 0) != HEADER.length || !Arrays.equals(header, HEADER)) {
            throw new IOException(dir.resolve(LOG_FILE) + " is not a kv log (bad header)");
        }
        boolean fromIndex = loadIndex();
        long scanFrom = fromIndex ? end : HEADER.length;
        if (!fromIndex) {
            keys.clear();
            lastSeq = 0;
        }
        long[] tail = {0};
        long goodEnd = scan(dir.resolve(LOG_FILE), scanFrom, lastSeq + 1, Long.MAX_VALUE, null, (seq, key, offset) -> {
            put(seq, key, offset);
            tail[0]++;
        });
        long truncated = channel.size() - goodEnd;
        if (truncated > 0) {
            channel.truncate(goodEnd); // a torn or corrupt tail: everything before it is intact
            channel.force(true);
        }
        end = goodEnd;
        durableSeq = lastSeq;
        openReport = new OpenReport(fromIndex, tail[0], truncated, (System.nanoTime() - started) / 1_000_000);
    }

    /** What the last {@link #open} found. */
    public OpenReport openReport() {
        return openReport;
    }

    private void put(long seq, String key, long offset) {
        if (seq - 1 >= offsets.length) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2);
        }
        offsets[(int) (seq - 1)] = offset;
        keys.put(key, seq);
        lastSeq = seq;
    }

    // ---------------------------------------------------------------- writing

    /** Appends {@code key = value} with the next sequence number; returns once it is on disk. */
    public long append(String key, byte[] value) throws IOException {
        long seq;
        synchronized (this) {
            seq = lastSeq + 1;
            write(encode(seq, key, value));
        }
        sync(seq);
        return seq;
    }

    /**
     * Appends records received from the peer, byte for byte, then fsyncs once. Each must carry the
     * next sequence number: a gap means the two logs do not line up and nothing more is applied;
     * records we already hold are skipped.
     */
    public void appendReplicated(List<ByteBuffer> records) throws IOException {
        long last = 0;
        synchronized (this) {
            for (ByteBuffer record : records) {
                long seq = record.getLong(4);
                if (seq <= lastSeq) {
                    continue; // already applied (a promotion's catch-up and the puller raced for it)
                }
                if (seq != lastSeq + 1) {
                    throw new IOException("replicated record " + seq + " does not follow local seq " + lastSeq);
                }
                write(record.duplicate());
                last = seq;
            }
        }
        if (last > 0) {
            sync(last);
        }
    }

    private void write(ByteBuffer record) throws IOException {
        ensureOpen();
        long offset = end;
        int length = record.remaining();
        long seq = record.getLong(record.position() + 4);
        short keyLength = record.getShort(record.position() + 12);
        byte[] key = new byte[keyLength];
        record.get(record.position() + 14, key);
        long position = offset;
        while (record.hasRemaining()) {
            position += channel.write(record, position);
        }
        end = offset + length;
        put(seq, new String(key, StandardCharsets.UTF_8), offset);
    }

    /** Group commit: waits until an fsync covers {@code seq}, issuing one if nobody else is. */
    void sync(long seq) throws IOException {
        synchronized (forceLock) {
            if (durableSeq >= seq) {
                return; // the fsync another writer just did covered our record too
            }
            long targetSeq;
            synchronized (this) {
                targetSeq = lastSeq;
            }
            channel.force(false);
            synchronized (this) {
                durableSeq = targetSeq;
                notifyAll(); // wake long-polling readers of /log
            }
        }
    }

    /** Wakes readers blocked in {@link #awaitDurable} (the server calls it when its role changes). */
    public synchronized void wakeReaders() {
        notifyAll();
    }

    /** Waits up to {@code millis} until record {@code seq} is durable; returns whether it is. */
    public synchronized boolean awaitDurable(long seq, long millis) throws InterruptedException {
        if (durableSeq < seq && !closed && millis > 0) {
            wait(millis); // any wake-up (new record, role change, close) ends it; the caller polls again
        }
        return durableSeq >= seq;
    }

    static ByteBuffer encode(long seq, String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (k.length == 0 || k.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key must be 1.." + MAX_KEY_BYTES + " bytes");
        }
        int payload = 8 + 2 + k.length + value.length;
        ByteBuffer buffer = ByteBuffer.allocate(4 + payload + 4);
        buffer.putInt(payload).putLong(seq).putShort((short) k.length).put(k).put(value);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 4, payload);
        buffer.putInt((int) crc.getValue());
        return buffer.flip();
    }

    // ---------------------------------------------------------------- reading

    /** The latest value of {@code key}, read from the file and checked against its CRC. */
    public Optional<byte[]> get(String key) throws IOException {
        Long seq;
        synchronized (this) {
            seq = keys.get(key);
        }
        return seq == null ? Optional.empty() : Optional.of(read(seq).value());
    }

    /** Record {@code seq} (1..{@link #lastSeq()}). */
    public LogRecord read(long seq) throws IOException {
        long offset;
        long next;
        synchronized (this) {
            if (seq < 1 || seq > lastSeq) {
                throw new IllegalArgumentException("no record " + seq);
            }
            offset = offsets[(int) (seq - 1)];
            next = seq == lastSeq ? end : offsets[(int) seq];
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) (next - offset));
        readFully(buffer, offset);
        return decode(buffer.flip());
    }

    /**
     * The raw bytes of the durable records from {@code fromSeq} on, at most about {@code maxBytes}
     * (always at least one record when there is one): the body of {@code GET /log}.
     */
    public byte[] rawFrom(long fromSeq, int maxBytes) throws IOException {
        long start;
        long stop;
        synchronized (this) {
            long upto = durableSeq;
            if (fromSeq < 1 || fromSeq > upto) {
                return new byte[0];
            }
            start = offsets[(int) (fromSeq - 1)];
            long seq = fromSeq;
            while (seq < upto && endOf(seq + 1) - start <= maxBytes) {
                seq++;
            }
            stop = endOf(seq);
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) (stop - start));
        readFully(buffer, start);
        return buffer.array();
    }

    /** End offset of record {@code seq}: where the next one starts. Caller holds the lock. */
    private long endOf(long seq) {
        return seq == lastSeq ? end : offsets[(int) seq];
    }

    /** Splits a {@link #rawFrom} body into records, checking each one's CRC. */
    public static List<ByteBuffer> split(byte[] raw) throws IOException {
        List<ByteBuffer> records = new ArrayList<>();
        ByteBuffer all = ByteBuffer.wrap(raw);
        while (all.hasRemaining()) {
            if (all.remaining() < 4) {
                throw new IOException("truncated record");
            }
            int length = 4 + all.getInt(all.position()) + 4;
            if (length < RECORD_OVERHEAD || length > all.remaining()) {
                throw new IOException("truncated record");
            }
            ByteBuffer record = all.slice(all.position(), length);
            decode(record.duplicate()); // verifies the CRC
            records.add(record);
            all.position(all.position() + length);
        }
        return records;
    }

    static LogRecord decode(ByteBuffer buffer) throws IOException {
        int payload = buffer.getInt();
        if (payload < 10 || payload > buffer.remaining() - 4) {
            throw new IOException("bad record length " + payload);
        }
        int start = buffer.position();
        byte[] bytes = new byte[payload];
        buffer.get(bytes);
        int crc = buffer.getInt();
        CRC32C check = new CRC32C();
        check.update(bytes);
        if ((int) check.getValue() != crc) {
            throw new IOException("CRC mismatch in record at " + start);
        }
        ByteBuffer p = ByteBuffer.wrap(bytes);
        long seq = p.getLong();
        int keyLength = p.getShort();
        String key = new String(bytes, 10, keyLength, StandardCharsets.UTF_8);
        byte[] value = Arrays.copyOfRange(bytes, 10 + keyLength, bytes.length);
        return new LogRecord(seq, key, value, crc);
    }

    private void readFully(ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new EOFException("log ended early");
            }
        }
    }

    /** Highest sequence number in the log (durable or about to be). */
    public synchronized long lastSeq() {
        return lastSeq;
    }

    /** Highest sequence number covered by an fsync: what is served to the peer. */
    public long durableSeq() {
        return durableSeq;
    }

    /** Number of distinct keys. */
    public synchronized int size() {
        return keys.size();
    }

    /** Current log file size in bytes. */
    public synchronized long bytes() {
        return end;
    }

    /** SHA-256 of this log up to its durable end; see {@link #checksum(Path, long)}. */
    public Checksum checksum() throws IOException {
        return checksum(dir, durableSeq);
    }

    // ---------------------------------------------------------------- checkpoints of the index

    /** Writes {@code kv.index} for the durable prefix, so the next start skips scanning it. */
    public void checkpoint() throws IOException {
        synchronized (forceLock) {
            synchronized (this) {
                ensureOpen();
                if (checkpointSeq == lastSeq && Files.exists(dir.resolve(INDEX_FILE))) {
                    return;
                }
                channel.force(false);
                durableSeq = lastSeq;
                notifyAll();
                // Layout: header | lastSeq | logEnd | keyCount | (keyLength:short key seq:long)* | offsets:long* | crc32c.
                // Plain ByteBuffer reads and bulk long reads keep loading it to a few ms even at 1 GiB.
                int size = INDEX_HEADER.length + 20 + (int) lastSeq * 8 + 4;
                List<byte[]> names = new ArrayList<>(keys.size());
                long[] seqs = new long[keys.size()];
                for (Map.Entry<String, Long> entry : keys.entrySet()) {
                    byte[] name = entry.getKey().getBytes(StandardCharsets.UTF_8);
                    seqs[names.size()] = entry.getValue();
                    names.add(name);
                    size += 2 + name.length + 8;
                }
                ByteBuffer index = ByteBuffer.allocate(size);
                index.put(INDEX_HEADER).putLong(lastSeq).putLong(end).putInt(keys.size());
                for (int i = 0; i < seqs.length; i++) {
                    index.putShort((short) names.get(i).length).put(names.get(i)).putLong(seqs[i]);
                }
                index.asLongBuffer().put(offsets, 0, (int) lastSeq);
                index.position(index.position() + (int) lastSeq * 8);
                CRC32C crc = new CRC32C();
                crc.update(index.array(), 0, index.position());
                index.putInt((int) crc.getValue());
                Path tmp = dir.resolve(INDEX_FILE + ".tmp");
                try (FileChannel file = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    file.write(index.flip());
                    file.force(true);
                }
                Files.move(tmp, dir.resolve(INDEX_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                checkpointSeq = lastSeq;
            }
        }
    }

    /** Loads {@code kv.index} if it is intact and matches this log; otherwise the whole log is scanned. */
    private boolean loadIndex() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dir.resolve(INDEX_FILE));
        } catch (NoSuchFileException e) {
            return false;
        }
        try {
            if (bytes.length < INDEX_HEADER.length + 24) {
                return false;
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()
                    || !Arrays.equals(Arrays.copyOf(bytes, INDEX_HEADER.length), INDEX_HEADER)) {
                return false;
            }
            ByteBuffer in = ByteBuffer.wrap(bytes, INDEX_HEADER.length, bytes.length - INDEX_HEADER.length - 4);
            long seq = in.getLong();
            long logEnd = in.getLong();
            int count = in.getInt();
            if (logEnd > channel.size()) {
                return false; // the log is shorter than the index says: not the same log
            }
            keys.clear();
            for (int i = 0; i < count; i++) {
                int length = in.getShort();
                String key = new String(bytes, in.position(), length, StandardCharsets.UTF_8);
                in.position(in.position() + length);
                keys.put(key, in.getLong());
            }
            offsets = new long[(int) Math.max(1024, Long.highestOneBit(Math.max(1, seq)) * 2)];
            in.asLongBuffer().get(offsets, 0, (int) seq);
            lastSeq = seq;
            end = logEnd;
            if (seq > 0 && read(seq).seq() != seq) {
                return false; // sanity: the last indexed record must be where the index says
            }
            checkpointSeq = seq;
            return true;
        } catch (IOException | RuntimeException e) {
            keys.clear();
            offsets = new long[1024];
            lastSeq = 0;
            end = HEADER.length;
            return false;
        }
    }

    // ---------------------------------------------------------------- offline tools

    /** Called for each record while scanning. */
    interface Visitor {
        void record(long seq, String key, long offset) throws IOException;
    }

    /**
     * Scans the log file from {@code from} (a record boundary), expecting {@code nextSeq} first, up to
     * record {@code uptoSeq}; feeds the bytes to {@code digest} if given. Returns the end of the last
     * good record: a torn or corrupt record, or one out of sequence, ends the scan.
     */
    private static long scan(Path file, long from, long nextSeq, long uptoSeq, MessageDigest digest, Visitor visitor)
            throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            raw.skipNBytes(from);
            DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 20));
            long offset = from;
            byte[] payload = new byte[4096];
            while (nextSeq <= uptoSeq) {
                int length;
                try {
                    length = in.readInt();
                    if (length < 10 || length > MAX_VALUE_BYTES + MAX_KEY_BYTES + 10) {
                        break;
                    }
                    if (payload.length < length) {
                        payload = new byte[Math.max(length, payload.length * 2)];
                    }
                    in.readFully(payload, 0, length);
                    int crc = in.readInt();
                    CRC32C check = new CRC32C();
                    check.update(payload, 0, length);
                    long seq = ByteBuffer.wrap(payload, 0, 8).getLong();
                    if ((int) check.getValue() != crc || seq != nextSeq) {
                        break;
                    }
                    if (digest != null) {
                        digest.update(ByteBuffer.allocate(4).putInt(length).array());
                        digest.update(payload, 0, length);
                        digest.update(ByteBuffer.allocate(4).putInt(crc).array());
                    }
                    if (visitor != null) {
                        int keyLength = ByteBuffer.wrap(payload, 8, 2).getShort();
                        visitor.record(seq, new String(payload, 10, keyLength, StandardCharsets.UTF_8), offset);
                    }
                    offset += 4 + length + 4;
                    nextSeq++;
                } catch (EOFException e) {
                    break;
                }
            }
            return offset;
        }
    }

    /** {@link #checksum(Path, long)} of the whole log. */
    public static Checksum checksum(Path dir) throws IOException {
        return checksum(dir, Long.MAX_VALUE);
    }

    /**
     * SHA-256 over the log in {@code dir} from its header through record {@code uptoSeq} (or its last
     * intact record). Works offline and on a live log (it only reads). Two members with the same
     * records have the same checksum; the demo compares the checksum of the records present before the
     * upgrade ({@code uptoSeq} = the seq then) with the same prefix afterwards.
     */
    public static Checksum checksum(Path dir, long uptoSeq) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path file = dir.resolve(LOG_FILE);
        byte[] header = new byte[HEADER.length];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(header, 0, header.length) != header.length || !Arrays.equals(header, HEADER)) {
                throw new IOException(file + " is not a kv log (bad header)");
            }
        }
        digest.update(header);
        long[] last = {0};
        long endOffset = scan(file, HEADER.length, 1, uptoSeq, digest, (seq, key, offset) -> last[0] = seq);
        return new Checksum(HexFormat.of().formatHex(digest.digest()), last[0], endOffset);
    }

    /**
     * Pre-fills the database in {@code dir} until the log file is {@code targetBytes} long (the last
     * value is cut to land on it exactly), with keys {@code fill-00000001...} and pseudo-random values
     * derived from the seq. Deterministic: filling two empty folders gives identical logs, so both
     * members of a pair can be filled side by side instead of replicating the data.
     *
     * @return the number of records written
     */
    public static long fill(Path dir, long targetBytes, int valueSize) throws IOException {
        try (KvLog log = open(dir)) {
            long written = 0;
            byte[] value = new byte[valueSize];
            while (true) {
                long seq;
                String key;
                synchronized (log) {
                    seq = log.lastSeq + 1;
                    key = String.format("fill-%08d", seq);
                    long room = targetBytes - log.end - RECORD_OVERHEAD - key.length();
                    if (room <= 0) {
                        break;
                    }
                    byte[] v = room < value.length ? new byte[(int) room] : value;
                    new SplittableRandom(seq).nextBytes(v);
                    log.write(encode(seq, key, v)); // no fsync per record: one at the end (checkpoint)
                }
                written++;
            }
            log.checkpoint();
            return written;
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("log is closed");
        }
    }

    /** Checkpoints the index and releases the file. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        try {
            if (channel.isOpen() && openReport != null) {
                checkpoint();
            }
        } finally {
            synchronized (this) {
                closed = true;
                notifyAll();
            }
            try {
                if (lock != null && lock.isValid()) {
                    lock.release();
                }
            } finally {
                channel.close();
            }
        }
    }
}
