import Foundation
import KubeClient
import Logging

/// Writes one `events.k8s.io/v1` Event per object a real run changed, so `kubectl describe`
/// on the object shows who changed it and why. Events are best effort: a failure is logged
/// and never fails the run (Events are not guaranteed by the API either).
public struct EventRecorder: Sendable {
    public static let reportingController = "kreconcile.io/kreconcile"
    public var client: KubeClient
    /// This process (the Lease holder identity): reportingInstance.
    public var instance: String
    public var logger: Logger
    public var now: @Sendable () -> Date

    public init(client: KubeClient, instance: String, logger: Logger = Logger(label: "kreconcile.events"),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.instance = instance
        self.logger = logger
        self.now = now
    }

    /// Returns whether the Event was stored.
    @discardableResult
    public func record(_ result: ActionResult) async -> Bool {
        guard let action = result.entry.finding.action else { return false }
        let event = Self.event(for: action, finding: result.entry.finding, instance: instance, at: now())
        let namespace = event["metadata"]?["namespace"]?.stringValue ?? "default"
        do {
            _ = try await client.create(.events, namespace: namespace, body: event)
            return true
        } catch {
            logger.warning("could not record an Event; the change itself was applied", metadata: [
                "object": "\(action.target)", "error": "\(error)",
            ])
            return false
        }
    }

    /// The Event body. Field rules from upstream pkg/apis/core/validation/events.go
    /// (events.k8s.io/v1 create): eventTime, reportingController, reportingInstance, action
    /// and reason required (<= 128 chars), note <= 1 kB, `regarding` in the Event's namespace;
    /// Events about cluster-scoped objects go to `default`, as client-go's recorder does.
    /// The name is `<object>.<hex nanoseconds>` like client-go's tools/events.
    static func event(for action: Action, finding: Finding, instance: String, at time: Date) -> JSONValue {
        let target = action.target
        let namespace = target.namespace ?? "default"
        let nanos = UInt64(max(0, time.timeIntervalSince1970) * 1e9)
        var regarding: [String: JSONValue] = [
            "apiVersion": .string(target.apiVersion), "kind": .string(target.kind), "name": .string(target.name),
            "uid": .string(target.uid),
        ]
        if let ns = target.namespace { regarding["namespace"] = .string(ns) }
        let note = "\(action.summary): \(finding.reason)"
        let base = String(target.name.prefix(236)).trimmingCharacters(in: CharacterSet(charactersIn: "-."))
        return [
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            // A DNS subdomain of at most 253 characters, whatever the object's name length.
            "metadata": ["name": .string("\(base).\(String(nanos, radix: 16))"), "namespace": .string(namespace)],
            "eventTime": .string(MicroTime.format(time)),
            "reportingController": .string(reportingController),
            "reportingInstance": .string(String(instance.prefix(128))),
            "action": .string(verb(action.request)),
            "reason": .string(String(reason(check: finding.check).prefix(128))),
            "regarding": .object(regarding),
            "note": .string(String(note.prefix(1024))),
            "type": "Normal",
        ]
    }

    /// What was done, machine-readable: Patch, Update, Delete, Evict, Create.
    static func verb(_ request: KubeRequest) -> String {
        if request.path.hasSuffix("/eviction") { return "Evict" }
        switch request.method {
        case "PATCH": return "Patch"
        case "PUT": return "Update"
        case "DELETE": return "Delete"
        case "POST": return "Create"
        default: return request.method
        }
    }

    /// "owner-references" -> "OwnerReferencesReconciled": UpperCamelCase, as Event reasons are.
    static func reason(check: String) -> String {
        check.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Reconciled"
    }
}
