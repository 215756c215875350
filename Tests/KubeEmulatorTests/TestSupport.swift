import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// One HTTP exchange made with /usr/bin/curl, so tests drive the server over real HTTP.
struct HTTPResult {
    var status: Int
    var headers: [String: String]
    var body: Data
    var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
    var text: String { String(decoding: body, as: UTF8.self) }
}

enum Curl {
    static func request(_ method: String, _ url: String, body: Data? = nil, contentType: String? = nil,
                        headers: [String: String] = [:], curlArgs: [String] = []) throws -> HTTPResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emu-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("body"), head = dir.appendingPathComponent("headers")
        var args = ["-s", "-S", "-X", method, "-o", out.path, "-D", head.path, "-w", "%{http_code}", "--max-time", "30"]
        if let body {
            let input = dir.appendingPathComponent("input")
            try body.write(to: input)
            args += ["--data-binary", "@\(input.path)"]
        }
        if let contentType { args += ["-H", "Content-Type: \(contentType)"] }
        for (k, v) in headers { args += ["-H", "\(k): \(v)"] }
        args += curlArgs + [url]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = args
        let stdout = Pipe(), stderr = Pipe()
        p.standardOutput = stdout
        p.standardError = stderr
        try p.run()
        let code = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "curl", code: Int(p.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: String(decoding: err, as: UTF8.self)])
        }
        var headerMap: [String: String] = [:]
        let rawHeaders = (try? String(contentsOf: head, encoding: .utf8)) ?? ""
        for line in rawHeaders.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headerMap[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return HTTPResult(status: Int(String(decoding: code, as: UTF8.self)) ?? 0, headers: headerMap,
                          body: (try? Data(contentsOf: out)) ?? Data())
    }
}

/// A started emulator plus request helpers relative to its base URL.
final class Harness {
    let emulator: KubeEmulator
    var token: String?
    var curlArgs: [String] = []

    init(_ options: EmulatorOptions = .init()) async throws {
        emulator = KubeEmulator(options: options)
        try await emulator.start()
    }

    func stop() async { await emulator.shutdown() }

    func call(_ method: String, _ path: String, json: JSONValue? = nil, raw: Data? = nil, contentType: String? = nil,
              headers: [String: String] = [:]) throws -> HTTPResult {
        var h = headers
        if let token { h["Authorization"] = "Bearer \(token)" }
        let body = raw ?? json.map { $0.jsonData() }
        let type = contentType ?? (body != nil ? "application/json" : nil)
        return try Curl.request(method, emulator.baseURL + path, body: body, contentType: type, headers: h, curlArgs: curlArgs)
    }

    func get(_ path: String, accept: String? = nil) throws -> HTTPResult {
        try call("GET", path, headers: accept.map { ["Accept": $0] } ?? [:])
    }

    func post(_ path: String, _ json: JSONValue) throws -> HTTPResult { try call("POST", path, json: json) }
    func put(_ path: String, _ json: JSONValue) throws -> HTTPResult { try call("PUT", path, json: json) }

    func patch(_ path: String, _ json: JSONValue, type: String) throws -> HTTPResult {
        try call("PATCH", path, json: json, contentType: type)
    }

    func delete(_ path: String, _ json: JSONValue? = nil) throws -> HTTPResult { try call("DELETE", path, json: json) }
}

func configMap(_ name: String, namespace: String = "default", data: JSONValue = ["k": "v"], labels: JSONValue? = nil) -> JSONValue {
    var meta: JSONValue = ["name": .string(name), "namespace": .string(namespace)]
    if let labels { meta["labels"] = labels }
    return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data]
}

func deployment(_ name: String, image: String = "nginx:1", namespace: String = "default") -> JSONValue {
    ["apiVersion": "apps/v1", "kind": "Deployment",
     "metadata": ["name": .string(name), "namespace": .string(namespace)],
     "spec": ["replicas": 1, "selector": ["matchLabels": ["app": .string(name)]],
              "template": ["metadata": ["labels": ["app": .string(name)]],
                           "spec": ["containers": [["name": "app", "image": .string(image),
                                                   "env": [["name": "A", "value": "1"], ["name": "B", "value": "2"]]]]]]]]
}

let widgetType = ResourceType(group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true, builtIn: false)

func widget(_ name: String) -> JSONValue {
    ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": .string(name), "namespace": "default"], "spec": ["size": 1]]
}

/// A pod as a kubelet would have it: scheduled, Running, and Ready unless told otherwise.
func runningPod(_ name: String, labels: JSONValue = ["app": "web"], ready: Bool = true, phase: String = "Running",
                nodeName: String? = "node-1", namespace: String = "default") -> JSONValue {
    var spec: JSONValue = ["containers": [["name": "c", "image": "nginx:1"]]]
    if let nodeName { spec["nodeName"] = .string(nodeName) }
    return ["apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels],
            "spec": spec,
            "status": ["phase": .string(phase), "conditions": [["type": "Ready", "status": ready ? "True" : "False"]]]]
}

func budget(_ name: String, selector: JSONValue = ["matchLabels": ["app": "web"]], allowed: Int, desired: Int = 2, current: Int = 2,
            generation: Int = 1, observed: Int = 1) -> JSONValue {
    ["apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
     "metadata": ["name": .string(name), "namespace": "default", "generation": .number(Double(generation))],
     "spec": ["selector": selector, "minAvailable": .number(Double(desired))],
     "status": ["disruptionsAllowed": .number(Double(allowed)), "desiredHealthy": .number(Double(desired)),
                "currentHealthy": .number(Double(current)), "expectedPods": 3, "observedGeneration": .number(Double(observed))]]
}

func eviction(_ name: String, apiVersion: String = "policy/v1", deleteOptions: JSONValue? = nil) -> JSONValue {
    var e: JSONValue = ["apiVersion": .string(apiVersion), "kind": "Eviction", "metadata": ["name": .string(name), "namespace": "default"]]
    if let deleteOptions { e["deleteOptions"] = deleteOptions }
    return e
}
