import Foundation
import KubeClient
import Synchronization

/// The kubelet's exec mode (`ExecOptions`): a pod whose first container's image is mapped
/// runs as a local process. What a container would see is rebuilt on the host:
///
/// - argv: the mapped executable, then the container's `command` minus its first word (the
///   image's entrypoint it replaces), then `args`;
/// - env: `PATH`, `HOME`, `TMPDIR`, the container's `env` (values, downward-API fieldRefs,
///   ConfigMap/Secret keys), and `KUBECONFIG` for the emulator instead of a service account;
/// - volumes: ConfigMap and Secret volumes are written under a per-pod directory, emptyDirs
///   made there; every argument and env value that starts with a mount path is rewritten to
///   the host directory (`--config=/etc/x/settings.yaml` → `--config=<dir>/settings/settings.yaml`);
/// - the process's stdout and stderr are kept (the newest `maxLogBytes`) for `pods/log`.
///
/// It is killed (and its container fails with 137) after `timeoutSeconds`, or when its pod
/// is deleted. Other containers of the pod are not run.
final class KubeletExec: Sendable {
    let options: ExecOptions
    static let maxLogBytes = 1 << 20

    struct Outcome: Sendable { var exitCode: Int32; var startedAt: String; var finishedAt: String }

    /// Process is not Sendable; only its thread-safe members are used across threads.
    private final class Running: @unchecked Sendable {
        let process: Process
        init(_ process: Process) { self.process = process }
    }

    private let running = Mutex<[String: Running]>([:])
    private let finished = Mutex<[String: Outcome]>([:])
    private let logs = Mutex<[String: Data]>([:])

    init(options: ExecOptions) { self.options = options }

    func executable(for pod: JSONValue) -> String? {
        guard let image = pod["spec"]?["containers"]?.arrayValue?.first?["image"]?.stringValue else { return nil }
        return options.executable(forImage: image)
    }

    /// The result of a finished process, once (the kubelet writes it into the pod's status).
    func takeOutcome(_ uid: String) -> Outcome? { finished.withLock { $0.removeValue(forKey: uid) } }

    func log(namespace: String, name: String) -> Data? { logs.withLock { $0["\(namespace)/\(name)"] } }

    /// Stops a pod's process (its pod is being deleted).
    func stop(_ uid: String) {
        guard let r = running.withLock({ $0[uid] }), r.process.isRunning else { return }
        r.process.terminate()
    }

    /// Starts the pod's process; an error message when it cannot (the container fails).
    func start(_ pod: JSONValue, lookup: (_ resource: String, _ namespace: String, _ name: String) -> JSONValue?) -> String? {
        guard let executable = executable(for: pod), let container = pod["spec"]?["containers"]?.arrayValue?.first else { return "no exec mapping" }
        let dir = options.workDirectory.appendingPathComponent(pod.uid)
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            let mounts = try materializeVolumes(pod, container, in: dir, lookup: lookup)
            func mapped(_ s: String) -> String {
                for (path, host) in mounts {
                    if s == path || s.hasPrefix(path + "/") { return host + s.dropFirst(path.count) }
                    if let eq = s.firstIndex(of: "="), case let v = s[s.index(after: eq)...], v == path || v.hasPrefix(path + "/") {
                        return String(s[...eq]) + host + v.dropFirst(path.count)
                    }
                }
                return s
            }
            let command = (container["command"]?.arrayValue ?? []).compactMap(\.stringValue)
            let args = (command.dropFirst() + (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)).map(mapped)
            var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": dir.path,
                       "TMPDIR": mounts.first { $0.path == "/tmp" }?.host ?? dir.path]
            for e in container["env"]?.arrayValue ?? [] {
                guard let name = e["name"]?.stringValue else { continue }
                if let value = e["value"]?.stringValue { env[name] = mapped(value) } else if let from = e["valueFrom"],
                   let value = Self.resolve(from, pod: pod, lookup: lookup) { env[name] = value }
            }
            env["KUBECONFIG"] = options.kubeconfigPath

            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = Array(args)
            process.environment = env
            process.currentDirectoryURL = dir
            let logURL = dir.appendingPathComponent("output.log")
            fm.createFile(atPath: logURL.path, contents: nil)
            let out = try FileHandle(forWritingTo: logURL)
            process.standardOutput = out
            process.standardError = out
            process.standardInput = FileHandle.nullDevice
            let uid = pod.uid, namespace = pod.namespace, name = pod.name, key = "\(namespace)/\(name)", started = ServerStamp.now()
            process.terminationHandler = { [self] p in
                try? out.close()
                let data = (try? Data(contentsOf: logURL)) ?? Data()
                logs.withLock { $0[key] = data.suffix(Self.maxLogBytes) }
                try? fm.removeItem(at: dir)
                // Killed by a signal: 128 + signal, as a container runtime reports it.
                let code = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
                finished.withLock { $0[uid] = Outcome(exitCode: code, startedAt: started, finishedAt: ServerStamp.now()) }
                running.withLock { $0[uid] = nil }
                options.onExit?(namespace, name, code, data)
            }
            // Registered before it starts: a process that exits at once still finds its entry.
            let r = Running(process)
            running.withLock { $0[uid] = r }
            do { try process.run() } catch {
                running.withLock { $0[uid] = nil }
                throw error
            }
            let timeout = options.timeoutSeconds
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                guard r.process.isRunning else { return }
                kill(r.process.processIdentifier, SIGKILL)
            }
            return nil
        } catch {
            try? fm.removeItem(at: dir)
            return "exec \(executable): \(error)"
        }
    }

    /// Writes the container's ConfigMap/Secret volumes and makes its emptyDirs; returns
    /// (mount path, host path), longest mount path first so nested mounts win.
    private func materializeVolumes(_ pod: JSONValue, _ container: JSONValue, in dir: URL,
                                    lookup: (String, String, String) -> JSONValue?) throws -> [(path: String, host: String)] {
        let volumes = pod["spec"]?["volumes"]?.arrayValue ?? []
        var out: [(path: String, host: String)] = []
        let fm = FileManager.default
        for m in container["volumeMounts"]?.arrayValue ?? [] {
            guard let name = m["name"]?.stringValue, let path = m["mountPath"]?.stringValue,
                  let volume = volumes.first(where: { $0["name"]?.stringValue == name }) else { continue }
            let host = dir.appendingPathComponent("volumes").appendingPathComponent(name)
            try fm.createDirectory(at: host, withIntermediateDirectories: true)
            var files: [String: Data] = [:]
            if let cm = volume["configMap"], let source = lookup("configmaps", pod.namespace, cm["name"]?.stringValue ?? "") {
                for (k, v) in source["data"]?.objectValue ?? [:] { files[k] = Data((v.stringValue ?? "").utf8) }
                for (k, v) in source["binaryData"]?.objectValue ?? [:] { files[k] = Data(base64Encoded: v.stringValue ?? "") }
                files = Self.select(files, items: cm["items"])
            } else if let sec = volume["secret"], let source = lookup("secrets", pod.namespace, sec["secretName"]?.stringValue ?? "") {
                for (k, v) in source["data"]?.objectValue ?? [:] { files[k] = Data(base64Encoded: v.stringValue ?? "") }
                files = Self.select(files, items: sec["items"])
            } else if volume["emptyDir"] == nil {
                continue  // other volume types have nothing to show on the host
            }
            for (file, data) in files {
                let url = host.appendingPathComponent(file)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: url)
            }
            let subPath = m["subPath"]?.stringValue ?? ""
            out.append((path, subPath.isEmpty ? host.path : host.appendingPathComponent(subPath).path))
        }
        return out.sorted { $0.path.count > $1.path.count }
    }

    /// `items: [{key, path}]` projects only those keys, under those paths.
    private static func select(_ files: [String: Data], items: JSONValue?) -> [String: Data] {
        guard let items = items?.arrayValue, !items.isEmpty else { return files }
        var out: [String: Data] = [:]
        for item in items {
            if let key = item["key"]?.stringValue, let path = item["path"]?.stringValue, let data = files[key] { out[path] = data }
        }
        return out
    }

    /// env valueFrom: the downward API's fieldRef, and ConfigMap/Secret keys.
    static func resolve(_ from: JSONValue, pod: JSONValue, lookup: (String, String, String) -> JSONValue?) -> String? {
        if let path = from["fieldRef"]?["fieldPath"]?.stringValue {
            switch path {
            case "metadata.name": return pod.name
            case "metadata.namespace": return pod.namespace
            case "metadata.uid": return pod.uid
            case "spec.nodeName": return pod["spec"]?["nodeName"]?.stringValue
            case "spec.serviceAccountName": return pod["spec"]?["serviceAccountName"]?.stringValue
            case "status.podIP": return pod["status"]?["podIP"]?.stringValue
            case "status.hostIP": return pod["status"]?["hostIP"]?.stringValue
            default:
                for field in ["labels", "annotations"] where path.hasPrefix("metadata.\(field)['") && path.hasSuffix("']") {
                    let key = String(path.dropFirst("metadata.\(field)['".count).dropLast(2))
                    return pod["metadata"]?[field]?[key]?.stringValue
                }
                return nil
            }
        }
        if let ref = from["configMapKeyRef"], let key = ref["key"]?.stringValue {
            return lookup("configmaps", pod.namespace, ref["name"]?.stringValue ?? "")?["data"]?[key]?.stringValue
        }
        if let ref = from["secretKeyRef"], let key = ref["key"]?.stringValue,
           let encoded = lookup("secrets", pod.namespace, ref["name"]?.stringValue ?? "")?["data"]?[key]?.stringValue,
           let data = Data(base64Encoded: encoded) {
            return String(decoding: data, as: UTF8.self)
        }
        return nil
    }

    /// The status a kubelet reports once the container exited.
    static func terminatedStatus(_ pod: JSONValue, _ outcome: Outcome) -> JSONValue {
        var status = pod["status"] ?? [:]
        let succeeded = outcome.exitCode == 0
        status["phase"] = .string(succeeded ? "Succeeded" : "Failed")
        let reason = succeeded ? "PodCompleted" : "PodFailed"
        status["conditions"] = .array((status["conditions"]?.arrayValue ?? []).map { c in
            guard let type = c["type"]?.stringValue, ["Ready", "ContainersReady", "PodReadyToStartContainers"].contains(type) else { return c }
            var c = c
            c["status"] = "False"
            c["lastTransitionTime"] = .string(outcome.finishedAt)
            if type != "PodReadyToStartContainers" { c["reason"] = .string(reason) }
            return c
        })
        status["containerStatuses"] = .array((status["containerStatuses"]?.arrayValue ?? []).enumerated().map { i, c in
            var c = c
            c["ready"] = false
            c["started"] = false
            let code = i == 0 ? outcome.exitCode : 0
            c["state"] = ["terminated": ["exitCode": .number(Double(code)), "reason": .string(code == 0 ? "Completed" : "Error"),
                                         "startedAt": .string(outcome.startedAt), "finishedAt": .string(outcome.finishedAt),
                                         "containerID": c["containerID"] ?? ""]]
            return c
        })
        return status
    }

    static func startFailedStatus(_ pod: JSONValue, message: String) -> JSONValue {
        let now = ServerStamp.now()
        var status = pod["status"] ?? [:]
        status["phase"] = "Failed"
        status["message"] = .string(message)
        status["containerStatuses"] = .array((pod["spec"]?["containers"]?.arrayValue ?? []).map { c in
            ["name": c["name"] ?? "", "image": c["image"] ?? "", "imageID": "", "ready": false, "started": false, "restartCount": 0,
             "state": ["terminated": ["exitCode": 128, "reason": "StartError", "message": .string(message),
                                      "startedAt": .string(now), "finishedAt": .string(now)]]]
        })
        return status
    }
}
