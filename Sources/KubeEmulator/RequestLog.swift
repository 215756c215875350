/// The request log: the newest `capacity` records in a ring, so a long benchmark keeps a
/// fixed amount of memory. Older records are dropped and counted.
struct RequestLog: Sendable {
    let capacity: Int
    private var ring: [RequestRecord] = []
    /// Where the oldest record sits once the ring is full.
    private var oldest = 0
    /// Records pushed out since the last clear.
    private(set) var dropped = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { ring.count }

    mutating func append(_ record: RequestRecord) {
        if ring.count < capacity {
            ring.append(record)
        } else {
            ring[oldest] = record
            oldest = (oldest + 1) % capacity
            dropped += 1
        }
    }

    /// Oldest first.
    var records: [RequestRecord] { Array(ring[oldest...] + ring[..<oldest]) }

    mutating func removeAll() {
        ring.removeAll()
        oldest = 0
        dropped = 0
    }
}
