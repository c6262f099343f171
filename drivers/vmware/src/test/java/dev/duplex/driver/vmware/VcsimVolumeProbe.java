package dev.duplex.driver.vmware;

import dev.duplex.api.VolumeRef;
import dev.duplex.driver.tck.VolumeProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Data in a vcsim virtual disk, reached beside the driver through vcsim's datastore file
 * transfer. vcsim keeps a disk as two real files on its datastore folder, {@code x.vmdk} and the
 * data extent {@code x-flat.vmdk}, and CopyVirtualDisk_Task copies both; so a marker written into
 * the extent is carried by every copy the driver makes (copyVolume, copy at boot, write back),
 * and only by those. The extent is written at the disk's full size, as vSphere copies a disk
 * whole; that size is what a copy of the volume copies.
 */
final class VcsimVolumeProbe implements VolumeProbe {
    static final String DATACENTER = "DC0";

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI base;
    private final long sizeBytes;

    VcsimVolumeProbe(URI vcsim, long sizeBytes) {
        this.base = vcsim.resolve("/folder/");
        this.sizeBytes = sizeBytes;
    }

    @Override
    public long writeMarker(VolumeRef volume, String marker) {
        return writeMarker(volume.id(), marker);
    }

    @Override
    public Optional<String> readMarker(VolumeRef volume) {
        return readMarker(volume.id());
    }

    /** Writes {@code marker} into the disk {@code [datastore] path.vmdk}, as a guest would. */
    long writeMarker(String disk, String marker) {
        byte[] content = new byte[Math.toIntExact(sizeBytes)];
        byte[] text = (marker + "\n").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(text, 0, content, 0, text.length);
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(extent(disk)).PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("vcsim answered HTTP " + response.statusCode() + " to the write of " + disk);
        }
        return sizeBytes;
    }

    Optional<String> readMarker(String disk) {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(extent(disk)).GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("vcsim answered HTTP " + response.statusCode() + " to the read of " + disk);
        }
        byte[] body = response.body();
        int end = 0;
        while (end < body.length && body[end] != '\n' && body[end] != 0) {
            end++;
        }
        return end == 0 ? Optional.empty() : Optional.of(new String(Arrays.copyOf(body, end), StandardCharsets.UTF_8));
    }

    private URI extent(String disk) {
        // Test names only ([LocalDS_0] duplex-volumes/tck-volume-….vmdk): nothing here needs encoding.
        String datastore = disk.substring(1, disk.indexOf(']'));
        String path = disk.substring(disk.indexOf("] ") + 2).replaceFirst("\\.vmdk$", "-flat.vmdk");
        return base.resolve(path + "?dcPath=" + DATACENTER + "&dsName=" + datastore);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
