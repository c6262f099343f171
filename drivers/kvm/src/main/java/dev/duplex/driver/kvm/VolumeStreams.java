package dev.duplex.driver.kvm;

import dev.duplex.api.CopyProgress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StorageVol;
import org.libvirt.Stream;

/**
 * Moves a storage volume's bytes through libvirt's own streams ({@code virStorageVolDownload} /
 * {@code virStorageVolUpload}), so it works the same against a local or a remote libvirtd; never
 * a shell copy.
 */
final class VolumeStreams {
    private static final int CHUNK = 1 << 20;

    private VolumeStreams() {}

    static byte[] download(Connect connect, StorageVol volume) throws LibvirtException {
        Stream stream = connect.streamNew(0);
        try {
            volume.download(stream, 0, 0, 0);
            var out = new ByteArrayOutputStream();
            byte[] buffer = new byte[CHUNK];
            int n;
            while ((n = stream.receive(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
            stream.finish();
            return out.toByteArray();
        } catch (LibvirtException e) {
            abort(stream);
            throw e;
        } finally {
            stream.free();
        }
    }

    static void upload(Connect connect, StorageVol volume, byte[] content) throws LibvirtException {
        Stream stream = connect.streamNew(0);
        try {
            volume.upload(stream, 0, content.length, 0);
            send(stream, ByteBuffer.wrap(content));
            stream.finish();
        } catch (LibvirtException e) {
            abort(stream);
            throw e;
        } finally {
            stream.free();
        }
    }

    /**
     * Writes {@code content} at {@code offset} of the volume and nothing else
     * ({@code virStorageVolUpload} with an offset and a length: the rest of the volume is kept).
     */
    static void uploadRange(Connect connect, StorageVol volume, long offset, byte[] content) throws LibvirtException {
        Stream stream = connect.streamNew(0);
        try {
            volume.upload(stream, offset, content.length, 0);
            send(stream, ByteBuffer.wrap(content));
            stream.finish();
        } catch (LibvirtException e) {
            abort(stream);
            throw e;
        } finally {
            stream.free();
        }
    }

    /** Copies {@code from}'s whole content into {@code to} (which must be at least as large); returns the bytes copied. */
    static long copy(Connect connect, StorageVol from, StorageVol to, CopyProgress progress) throws LibvirtException {
        long total = from.getInfo().capacity;
        Stream in = connect.streamNew(0);
        Stream out = connect.streamNew(0);
        try {
            from.download(in, 0, total, 0);
            to.upload(out, 0, total, 0);
            byte[] buffer = new byte[CHUNK];
            long copied = 0;
            int n;
            progress.update(0, total);
            while ((n = in.receive(buffer)) > 0) {
                send(out, ByteBuffer.wrap(buffer, 0, n));
                copied += n;
                progress.update(copied, total);
            }
            in.finish();
            out.finish();
            return copied;
        } catch (LibvirtException e) {
            abort(in);
            abort(out);
            throw e;
        } finally {
            in.free();
            out.free();
        }
    }

    private static void send(Stream stream, ByteBuffer data) throws LibvirtException {
        try {
            // At most CHUNK per call, from a direct buffer: libvirt refuses a stream message over
            // 32 MiB (VIR_ERR_RPC), and JNA hands a heap buffer to C by copying its whole backing
            // array on every call (a 64 MiB store took 87 s in 1 MiB slices of it).
            ByteBuffer chunk = ByteBuffer.allocateDirect(Math.min(CHUNK, Math.max(1, data.remaining())));
            while (data.hasRemaining()) {
                chunk.clear();
                int n = Math.min(chunk.capacity(), data.remaining());
                chunk.put(data.slice(data.position(), n)).flip();
                data.position(data.position() + n);
                while (chunk.hasRemaining()) {
                    stream.write(chunk);
                }
            }
        } catch (IOException e) {
            if (e.getCause() instanceof LibvirtException libvirt) {
                throw libvirt;
            }
            throw new IllegalStateException("libvirt stream write failed: " + e.getMessage(), e);
        }
    }

    private static void abort(Stream stream) {
        try {
            stream.abort();
        } catch (LibvirtException ignored) {
            // the original failure is what the caller reports
        }
    }
}
