package dev.duplex.engine.envsync;

/**
 * The quantities a {@link SyncChooser} decides on: the diff's encoded size, its entries and
 * patches, the 4 KiB storage pages its writes touch, the separate writes (spans) those pages
 * fall into, and the bytes a full write carries.
 *
 * <p>Spans matter apart from pages: measured on the local store, 10,000 changed runs a few
 * KiB apart on a 64 MiB item (10,000 pages written one by one) took longer than 100,000 runs
 * spread over every page of it (one write of the whole span), 202 ms against 165 ms.
 *
 * @param diffBytes the encoded diff's size
 * @param entries the diff's entries (one per 8 changed bytes or fewer)
 * @param patches the byte ranges the diff writes (one per run)
 * @param pagesTouched distinct 4 KiB pages of the items that the diff writes
 * @param fullBytes the size of the whole target info (what a full write carries)
 * @param spans the separate writes the diff's ranges make when ranges less than a page apart
 *     are written as one (each added item is one)
 */
public record SyncWorkload(long diffBytes, long entries, long patches, long pagesTouched, long fullBytes,
        long spans) {
    /** The storage page size the cost model counts. */
    public static final int PAGE_BYTES = 4096;

    public SyncWorkload {
        if (diffBytes < 0 || entries < 0 || patches < 0 || pagesTouched < 0 || fullBytes < 0 || spans < 0) {
            throw new IllegalArgumentException("workload quantities must be 0 or more");
        }
    }

    /** A workload whose spans are not known apart: each patch counted as its own write. */
    public SyncWorkload(long diffBytes, long entries, long patches, long pagesTouched, long fullBytes) {
        this(diffBytes, entries, patches, pagesTouched, fullBytes, patches);
    }

    /** The workload of applying {@code diff}, whose encoding is {@code encodedBytes} long. */
    public static SyncWorkload of(DiffInfo diff, long encodedBytes) {
        long entries = 0;
        long patches = 0;
        long pages = 0;
        long spans = 0;
        for (ItemDiff item : diff.items()) {
            entries += item.entries().size();
            switch (item.change()) {
                case REMOVED -> {
                }
                case ADDED -> {
                    patches++;
                    spans++;
                    pages += (item.lengthAfter() + PAGE_BYTES - 1) / PAGE_BYTES;
                }
                case KEPT -> {
                    long lastPage = -1;
                    long lastEnd = Long.MIN_VALUE / 2;
                    for (DiffEntry entry : item.entries()) {
                        if (entry.flag() != EntryFlag.DATA && entry.flag() != EntryFlag.AREA) {
                            continue;
                        }
                        patches++;
                        if (entry.offset() - lastEnd >= PAGE_BYTES) {
                            spans++;
                        }
                        lastEnd = (long) entry.offset() + entry.size();
                        long first = entry.offset() / PAGE_BYTES;
                        long last = ((long) entry.offset() + entry.size() - 1) / PAGE_BYTES;
                        pages += last - Math.max(first, lastPage + 1) + 1;
                        lastPage = Math.max(lastPage, last);
                    }
                }
            }
        }
        return new SyncWorkload(encodedBytes, entries, patches, pages, diff.targetBytes(), spans);
    }
}
