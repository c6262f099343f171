package dev.duplex.driver.kvm;

import dev.duplex.api.BytePatch;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte runs a patch of the UEFI variable store uploads, one libvirt ranged upload each.
 * Patches that touch end to end (a diff's entries of one changed run) become one run, so a run
 * costs one stream, not one per entry.
 */
final class NvramRuns {
    /**
     * Above this many runs the store is uploaded whole instead: each ranged upload is a stream of
     * its own (open, send, finish: a few round trips to libvirtd), and a whole 4 MiB store costs
     * about as much as some tens of them (see docs/benchmarks.md, "KVM: ranged NVRAM upload").
     */
    static final int MAX_RANGED_UPLOADS = 64;

    private NvramRuns() {}

    /** The patches with adjacent ones joined, in the same (ascending, non-overlapping) order. */
    static List<BytePatch> coalesce(List<BytePatch> patches) {
        var out = new ArrayList<BytePatch>();
        int i = 0;
        while (i < patches.size()) {
            BytePatch first = patches.get(i);
            int j = i + 1;
            long end = first.end();
            while (j < patches.size() && patches.get(j).offset() == end) {
                end = patches.get(j).end();
                j++;
            }
            if (j == i + 1) {
                out.add(first);
            } else {
                var run = new ByteArrayOutputStream((int) (end - first.offset()));
                for (int k = i; k < j; k++) {
                    run.writeBytes(patches.get(k).bytes());
                }
                out.add(new BytePatch(first.offset(), run.toByteArray()));
            }
            i = j;
        }
        return out;
    }
}
