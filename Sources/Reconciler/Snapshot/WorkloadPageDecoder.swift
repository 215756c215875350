import Foundation
import KubeClient

/// Decodes a page of Deployments, DaemonSets or StatefulSets straight into
/// `WorkloadRecord`s with a `JSONCursor`, skipping managedFields, probes, volumes and the
/// rest no check reads. The same records as `WorkloadRecord.init(from:)` gives through
/// JSONDecoder (WorkloadPageDecoderTests compares them); at 150,000 pods there are about
/// 19,000 Deployments, which JSONDecoder took seconds to read.
public struct WorkloadPageDecoder: ListPageDecoder {
    /// Where pod templates keep their whole spec; nil = nowhere.
    let retention: SpecRetention?

    public init(retention: SpecRetention?) { self.retention = retention }

    public func decodePage(_ body: Data) throws -> (metadata: ListMeta?, items: [WorkloadRecord]) {
        try JSONCursor.readListPage(body) { c in try workload(&c) }
    }

    private func workload(_ c: inout JSONCursor) throws -> WorkloadRecord {
        var w = WorkloadRecord(kind: "", meta: MetaRecord(name: "", uid: ""))
        var templateAt: JSONCursor?
        var hasMetadata = false
        try c.forEachField { c, key in
            if key == "apiVersion" { w.apiVersion = try c.stringOrNull() ?? "apps/v1" }
            else if key == "kind" { w.kind = try c.stringOrNull() ?? "" }
            else if key == "metadata" { w.meta = try MetaRecord(cursor: &c); hasMetadata = true }
            else if key == "spec" {
                try c.forEachField { c, key in
                    if key == "replicas" { w.replicas = try c.consumeNull() ? nil : try c.int() }
                    else if key == "paused" { w.paused = try c.consumeNull() ? false : try c.bool() }
                    else if key == "selector" {
                        try c.forEachField { c, key in
                            if key == "matchLabels" { w.selector = try c.stringMap() } else { try c.skipValue() }
                        }
                    } else if key == "template" {
                        try c.forEachField { c, key in
                            if key == "metadata" {
                                try c.forEachField { c, key in
                                    if key == "labels" { w.templateLabels = try c.stringMap() }
                                    else if key == "annotations" { w.templateAnnotations = try c.stringMap() }
                                    else { try c.skipValue() }
                                }
                            } else if key == "spec" {
                                templateAt = c
                                try c.forEachField { c, key in
                                    if key == "containers" { w.containers = try containers(&c) }
                                    else if key == "initContainers" { w.initContainers = try containers(&c) }
                                    else { try c.skipValue() }
                                }
                            } else {
                                try c.skipValue()
                            }
                        }
                    } else {
                        try c.skipValue()
                    }
                }
            } else if key == "status" {
                w.status = try status(&c)
            } else {
                try c.skipValue()
            }
        }
        guard hasMetadata else { throw CursorDecodeProblem("an item without metadata") }
        if let retention, retention.templates, retention.keeps(namespace: w.meta.namespace), var at = templateAt, try !at.consumeNull() {
            w.templateSpec = try at.value()
        }
        return w
    }

    private func containers(_ c: inout JSONCursor) throws -> [ContainerRecord] {
        var out: [ContainerRecord] = []
        try c.forEachElement { c in
            var name: String?, image = "", env: [String: String] = [:], profile: AppArmorProfileRecord?
            try c.forEachField { c, key in
                if key == "name" { name = try c.string() }
                else if key == "image" { image = try c.stringOrNull() ?? "" }
                else if key == "env" {
                    try c.forEachElement { c in
                        var name: String?, value: String?
                        try c.forEachField { c, key in
                            if key == "name" { name = try c.string() } else if key == "value" { value = try c.stringOrNull() } else { try c.skipValue() }
                        }
                        guard let name else { throw CursorDecodeProblem("env[]: name is required") }
                        if name.hasPrefix(ContainerRecord.keptEnvPrefix), let value { env[name] = value }
                    }
                } else if key == "securityContext" { profile = try AppArmorProfileRecord.read(inSecurityContext: &c) }
                else { try c.skipValue() }
            }
            guard let name else { throw CursorDecodeProblem("a container without name") }
            out.append(ContainerRecord(name: name, image: image, env: env, appArmorProfile: profile))
        }
        return out
    }

    private func status(_ c: inout JSONCursor) throws -> WorkloadStatus {
        var s = WorkloadStatus()
        func int(_ c: inout JSONCursor) throws -> Int? { try c.consumeNull() ? nil : try c.int() }
        try c.forEachField { c, key in
            if key == "observedGeneration" { s.observedGeneration = try int(&c) }
            else if key == "replicas" { s.replicas = try int(&c) }
            else if key == "readyReplicas" { s.readyReplicas = try int(&c) }
            else if key == "availableReplicas" { s.availableReplicas = try int(&c) }
            else if key == "unavailableReplicas" { s.unavailableReplicas = try int(&c) }
            else if key == "updatedReplicas" { s.updatedReplicas = try int(&c) }
            else if key == "currentRevision" { s.currentRevision = try c.stringOrNull() }
            else if key == "updateRevision" { s.updateRevision = try c.stringOrNull() }
            else if key == "desiredNumberScheduled" { s.desiredNumberScheduled = try int(&c) }
            else if key == "numberAvailable" { s.numberAvailable = try int(&c) }
            else if key == "numberUnavailable" { s.numberUnavailable = try int(&c) }
            else if key == "updatedNumberScheduled" { s.updatedNumberScheduled = try int(&c) }
            else { try c.skipValue() }
        }
        return s
    }
}
