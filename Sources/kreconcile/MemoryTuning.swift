/// glibc malloc settings for a run that reads a cluster in multi-megabyte list pages.
enum MemoryTuning {
    static func apply() {
        #if os(Linux)
        // Left to glibc, the first freed page buffer raises the mmap threshold to its size,
        // and every later page is carved from the heap, where the holes it leaves stay part
        // of the process (+7 % peak RSS at 150,000 pods). Fixed at 1 MiB, a page is mapped
        // and given back to the system when dropped.
        _ = glibcMallopt(mmapThreshold, 1 << 20)
        // One arena per thread that ever allocated (up to 8 per core) each keeps its own
        // free memory; a run has a couple of busy threads.
        _ = glibcMallopt(arenaMax, 2)
        #endif
    }

    // <malloc.h> is not in the Glibc module: its two parameters, as glibc defines them.
    private static let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
    private static let arenaMax: Int32 = -8  // M_ARENA_MAX
}

#if os(Linux)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
