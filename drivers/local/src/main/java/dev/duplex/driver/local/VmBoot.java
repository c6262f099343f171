package dev.duplex.driver.local;

import dev.duplex.api.BootReport;
import dev.duplex.api.CopyProgress;
import dev.duplex.api.ObjectId;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * Boots one VM: rebuilds its root folder from the image, puts each linked volume in place (a
 * symbolic link for {@link VolumeLink.Mode#MOUNT_AT_BOOT}, a copy for
 * {@link VolumeLink.Mode#COPY_AT_BOOT}) and launches its process.
 */
final class VmBoot {
    private final VmFolder vm;
    private final VmFolder.Definition definition;
    private final ImageFolder image;
    private final Function<VolumeRef, VolumeFolder> volumes;

    VmBoot(VmFolder vm, VmFolder.Definition definition, ImageFolder image, Function<VolumeRef, VolumeFolder> volumes) {
        this.vm = vm;
        this.definition = definition;
        this.image = image;
        this.volumes = volumes;
    }

    /** A boot's report and the VM's process as launched. */
    record Booted(BootReport report, VmProcess.Launched launched) {}

    /** Boots the VM; its earlier copies must have been saved back ({@link CopyWriteBack}) first. */
    Booted boot(Map<String, String> environment) throws IOException {
        if (Files.exists(vm.unsavedCopies())) {
            throw new IOException("the copies of VM " + definition.vm().name() + "'s last run are not saved back to their"
                    + " volumes yet (" + vm.unsavedCopies() + "); refusing to copy the volumes in over them");
        }
        Path root = vm.root();
        StateFolder.refuseLink(root); // the fresh root below must be ours, not where a link points
        // A fresh root each boot: what the last run wrote outside its volumes is not kept, as with a VM's image.
        // Links are deleted as links, so mounted volumes are untouched.
        TreeDeletion.deleteContent(root);
        Files.createDirectories(root);
        TreeCopy.copy(image.content(), root, CopyProgress.NONE);
        long copied = 0;
        long copyNanos = 0;
        for (VolumeLink link : definition.links()) {
            // Resolved part by part without following links: the image may hold links of its own.
            Path mountPoint = MountPoint.resolve(root, link, true, definition.vm().name(), ObjectId.of(definition.vm()));
            VolumeFolder volume = volumes.apply(link.volume());
            TreeDeletion.delete(mountPoint); // the image may ship a placeholder there; never a link (refused above)
            if (link.mode() == VolumeLink.Mode.MOUNT_AT_BOOT) {
                Files.createSymbolicLink(mountPoint, volume.data().toAbsolutePath());
            } else {
                long started = System.nanoTime();
                copied += TreeCopy.copy(volume.data(), mountPoint, CopyProgress.NONE);
                copyNanos += System.nanoTime() - started;
            }
        }
        if (definition.links().stream().anyMatch(l -> l.mode() == VolumeLink.Mode.COPY_AT_BOOT)) {
            // Only once every copy is complete (a half copy must never be saved back), and before the VM
            // runs, so what it writes is saved back even if it crashes or we do.
            PropertiesFile.writeAtomically(vm.unsavedCopies(), "copy-at-boot copies not yet saved back\n".getBytes());
        }
        Files.deleteIfExists(vm.stopMarker());
        VmProcess.Launched launched = VmProcess.launch(root, vm.console(), vm.processRecord(), image.command(), environment);
        return new Booted(new BootReport(definition.vm(), copied, Duration.ofNanos(copyNanos)), launched);
    }
}
