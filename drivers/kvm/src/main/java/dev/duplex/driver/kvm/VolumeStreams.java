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
            while (data.hasRemaining()) {
                stream.write(data);
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
