import Foundation
import KubeClient
import Synchronization

/// Encodes generated objects on a second thread. Encoding (JSONWriter, the Table row, the
/// metadata scan, freeing the tree) is about 40% of generation and needs no RNG, so the
/// generator hands over batches of finished trees and goes on with the next; results are
/// stored in emit order, so one seed still gives the same bytes.
final class BulkEncoder: Sendable {
    struct Item: Sendable {
        let rt: ResourceType
        let namespace: String
        let name: String
        /// Without apiVersion/kind, as stored.
        let body: JSONValue
        /// With them, for the printer.
        let printable: JSONValue
    }

    struct Encoded: Sendable {
        let rt: ResourceType
        let namespace: String
        let name: String
        let stored: StoredObject
    }

    private let queue = DispatchQueue(label: "kube-emulator.generate.encode", qos: .userInitiated)
    private let done = Mutex<[[Encoded]]>([])
    /// Bounds the trees waiting to be encoded (they weigh several times their JSON).
    private let slots = DispatchSemaphore(value: 4)

    /// `raw`: the shared managedFields fragments the bodies refer to (`JSONWriter.raw`).
    func submit(_ items: [Item], raw: [String: [UInt8]]) {
        guard !items.isEmpty else { return }
        slots.wait()
        queue.async { [self] in
            let out = items.map { item in
                // Table cells are printed from the tree at hand, so Table pages splice them.
                let row = item.rt.builtIn ? PrintedRow(TableConvertor.printer(for: item.rt, crd: nil), item.printable) : nil
                let body = JSONWriter.encode(item.body, raw: raw)
                return Encoded(rt: item.rt, namespace: item.namespace, name: item.name,
                               stored: StoredObject(body: body, apiVersion: item.rt.groupVersion, kind: item.rt.kind, row: row))
            }
            done.withLock { $0.append(out) }
            slots.signal()
        }
    }

    /// The batches encoded so far, in submission order (one serial queue).
    func take() -> [Encoded] {
        done.withLock { batches in
            defer { batches = [] }
            return batches.flatMap { $0 }
        }
    }

    /// Waits for every submitted batch.
    func finish() -> [Encoded] {
        queue.sync {}
        return take()
    }
}
