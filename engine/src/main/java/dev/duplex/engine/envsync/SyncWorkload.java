package dev.duplex.engine.envsync;

/**
 * The quantities a {@link SyncChooser} decides on: the diff's encoded size, its entries and
 * patches, the 4 KiB storage pages its writes touch, and the bytes a full write carries.
 *
 * @param diffBytes the encoded diff's size
 * @param entries the diff's entries (one per 8 changed bytes or fewer)
 * @param patches the byte ranges the diff writes (one per run)
 * @param pagesTouched distinct 4 KiB pages of the items that the diff writes
 * @param fullBytes the size of the whole target info (what a full write carries)
 */
public record SyncWorkload(long diffBytes, long entries, long patches, long pagesTouched, long fullBytes) {
    /** The storage page size the cost model counts. */
    public static final int PAGE_BYTES = 4096;

    public SyncWorkload {
        if (diffBytes < 0 || entries < 0 || patches < 0 || pagesTouched < 0 || fullBytes < 0) {
            throw new IllegalArgumentException("workload quantities must be 0 or more");
        }
    }

    /** The workload of applying {@code diff}, whose encoding is {@code encodedBytes} long. */
    public static SyncWorkload of(DiffInfo diff, long encodedBytes) {
        long entries = 0;
        long patches = 0;
        long pages = 0;
        for (ItemDiff item : diff.items()) {
            entries += item.entries().size();
            switch (item.change()) {
                case REMOVED -> {
                }
                case ADDED -> {
                    patches++;
                    pages += (item.lengthAfter() + PAGE_BYTES - 1) / PAGE_BYTES;
                }
                case KEPT -> {
                    long lastPage = -1;
                    for (DiffEntry entry : item.entries()) {
                        if (entry.flag() != EntryFlag.DATA && entry.flag() != EntryFlag.AREA) {
                            continue;
                        }
                        patches++;
                        long first = entry.offset() / PAGE_BYTES;
                        long last = ((long) entry.offset() + entry.size() - 1) / PAGE_BYTES;
                        pages += last - Math.max(first, lastPage + 1) + 1;
                        lastPage = Math.max(lastPage, last);
                    }
                }
            }
        }
        return new SyncWorkload(encodedBytes, entries, patches, pages, diff.targetBytes());
    }
}
