import Foundation
import Synchronization

/// What the server serves, from `/api`, `/apis` and `/apis/G/V`, fetched once per run.
public struct ServedGroups: Sendable {
    /// group ("" = core) -> versions, preferred first.
    public var versions: [String: [String]]

    public func isServed(group: String, version: String) -> Bool { versions[group]?.contains(version) ?? false }
    public func preferredVersion(group: String) -> String? { versions[group]?.first }
}

public struct ServedResource: Sendable, Decodable, Equatable {
    public var name: String
    public var namespaced: Bool
    public var kind: String
    public var verbs: [String]?
}

/// One fetch per document and client: lists that start together share the fetch in
/// flight (a Task) instead of each reading /api and /apis again. A failed fetch is
/// forgotten, so a later call tries again.
final class DiscoveryCache: Sendable {
    let groups = Mutex<Task<ServedGroups, any Error>?>(nil)
    let resources = Mutex<[String: Task<[ServedResource]?, any Error>]>([:])
}

private struct APIVersions: Decodable { var versions: [String] }
private struct APIGroupList: Decodable {
    struct Group: Decodable {
        struct Version: Decodable { var version: String }
        var name: String
        var versions: [Version]
        var preferredVersion: Version?
    }
    var groups: [Group]
}
private struct APIResourceList: Decodable { var resources: [ServedResource] }

extension KubeClient {
    /// The served API groups and versions (cached for the client's life).
    public func servedGroups() async throws -> ServedGroups {
        let task = discoveryCache.groups.withLock { slot in
            if let slot { return slot }
            let fetch = Task { try await self.fetchServedGroups() }
            slot = fetch
            return fetch
        }
        do { return try await task.value } catch {
            discoveryCache.groups.withLock { if $0 == task { $0 = nil } }
            throw error
        }
    }

    private func fetchServedGroups() async throws -> ServedGroups {
        let core = try await get(path: "/api", as: APIVersions.self)
        let list = try await get(path: "/apis", as: APIGroupList.self)
        var versions: [String: [String]] = ["": core.versions]
        for g in list.groups {
            var vs = g.versions.map(\.version)
            if let preferred = g.preferredVersion?.version, let i = vs.firstIndex(of: preferred) {
                vs.remove(at: i)
                vs.insert(preferred, at: 0)
            }
            versions[g.name] = vs
        }
        return ServedGroups(versions: versions)
    }

    /// The resources of one group/version; nil when the server does not serve it.
    public func servedResources(group: String, version: String) async throws -> [ServedResource]? {
        let key = "\(group)/\(version)"
        let task = discoveryCache.resources.withLock { tasks in
            if let existing = tasks[key] { return existing }
            let fetch = Task { try await self.fetchServedResources(group: group, version: version) }
            tasks[key] = fetch
            return fetch
        }
        do { return try await task.value } catch {
            discoveryCache.resources.withLock { if $0[key] == task { $0[key] = nil } }
            throw error
        }
    }

    private func fetchServedResources(group: String, version: String) async throws -> [ServedResource]? {
        guard try await servedGroups().isServed(group: group, version: version) else { return nil }
        let path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        do {
            return try await get(path: path, as: APIResourceList.self).resources
        } catch let error as KubeAPIError where error.code == 404 {
            return nil  // removed between the two calls (a CRD deleted)
        }
    }

    /// A descriptor for group/version/plural when served, else nil: how checks learn
    /// whether KubeArmor or Gatekeeper is installed.
    public func discover(group: String, version: String, plural: String) async throws -> ResourceDescriptor? {
        guard let r = try await servedResources(group: group, version: version)?.first(where: { $0.name == plural }) else { return nil }
        return ResourceDescriptor(group: group, version: version, plural: plural, kind: r.kind, namespaced: r.namespaced)
    }

    /// The first of `versions` the server serves for `group` (e.g. admissionregistration v1, then v1beta1).
    public func firstServedVersion(group: String, among versions: [String]) async throws -> String? {
        let served = try await servedGroups()
        return versions.first { served.isServed(group: group, version: $0) }
    }

    public func get<T: Decodable>(path: String, as type: T.Type) async throws -> T {
        let request = KubeRequest(method: "GET", path: path)
        return try decode(T.self, try await send(request), request)
    }
}
