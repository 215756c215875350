import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// kubectl's typed `create` subcommands send protobuf bodies; the emulator must read them.
final class KubectlProtobufTests: XCTestCase {
    func testTypedCreateSubcommandsSendProtobufAndAreStored() async throws {
        let k = try await KubectlHarness()
        let commands: [[String]] = [
            ["create", "configmap", "cm1", "--from-literal=a=b"],
            ["create", "secret", "generic", "s1", "--from-literal=pw=hunter2"],
            ["create", "namespace", "team-b"],
            ["create", "serviceaccount", "robot"],
            ["create", "deployment", "d1", "--image=nginx:1", "--replicas=0", "--port=8080"],
            ["create", "job", "j1", "--image=busybox", "--", "echo", "hi"],
            ["create", "cronjob", "cj1", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"],
            ["create", "role", "reader", "--verb=get,list", "--resource=pods"],
            ["create", "rolebinding", "rb1", "--role=reader", "--serviceaccount=default:robot"],
            ["create", "clusterrole", "cr1", "--verb=get", "--non-resource-url=/healthz"],
            ["create", "clusterrolebinding", "crb1", "--clusterrole=cr1", "--user=alice"],
            ["create", "poddisruptionbudget", "pdb1", "--selector=app=d1", "--max-unavailable=0"],
            ["create", "service", "nodeport", "svc1", "--tcp=80:8080", "--node-port=30080"],
        ]
        for c in commands { try await k.ok(c) }
        let creates = k.requests(verb: "create")
        XCTAssertEqual(creates.count, commands.count)
        for c in creates {
            XCTAssertEqual(c.contentType, "application/vnd.kubernetes.protobuf", "\(c.path)")
            XCTAssertEqual(c.status, 201, "\(c.path)")
            XCTAssertTrue((c.requestHeaders["accept"] ?? "").hasPrefix("application/vnd.kubernetes.protobuf"), "\(c.requestHeaders)")
        }

        XCTAssertEqual(k.emulator.object("configmaps", namespace: "default", name: "cm1")?["data"], ["a": "b"])
        XCTAssertEqual(k.emulator.object("secrets", namespace: "default", name: "s1")?["data"], ["pw": .string(Data("hunter2".utf8).base64EncodedString())])
        XCTAssertEqual(k.emulator.object("namespaces", namespace: nil, name: "team-b")?["status"]?["phase"], "Active")
        XCTAssertNotNil(k.emulator.object("serviceaccounts", namespace: "default", name: "robot"))

        let d = try XCTUnwrap(k.emulator.object("deployments", namespace: "default", name: "d1"))
        XCTAssertEqual(d["spec"]?["replicas"], 0, "a pointer field keeps its zero")
        XCTAssertEqual(d["spec"]?["selector"], ["matchLabels": ["app": "d1"]])
        let container = d["spec"]?["template"]?["spec"]?["containers"]?[0]
        XCTAssertEqual(container?["image"], "nginx:1")
        XCTAssertEqual(container?["ports"], [["containerPort": 8080, "protocol": "TCP"]], "protocol defaulted")
        XCTAssertEqual(container?["imagePullPolicy"], "IfNotPresent", "empty proto strings are unset, then defaulted")

        let job = try XCTUnwrap(k.emulator.object("jobs", namespace: "default", name: "j1"))
        XCTAssertEqual(job["spec"]?["template"]?["spec"]?["containers"]?[0]?["command"], ["echo", "hi"])
        XCTAssertEqual(job["spec"]?["template"]?["spec"]?["restartPolicy"], "Never")
        let cj = try XCTUnwrap(k.emulator.object("cronjobs", namespace: "default", name: "cj1"))
        XCTAssertEqual(cj["spec"]?["schedule"], "*/5 * * * *")
        XCTAssertEqual(cj["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]?["containers"]?[0]?["command"], ["date"])

        XCTAssertEqual(k.emulator.object("roles", namespace: "default", name: "reader")?["rules"],
                       [["verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]]])
        XCTAssertEqual(k.emulator.object("rolebindings", namespace: "default", name: "rb1")?["subjects"],
                       [["kind": "ServiceAccount", "name": "robot", "namespace": "default"]])
        XCTAssertEqual(k.emulator.object("rolebindings", namespace: "default", name: "rb1")?["roleRef"],
                       ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"])
        XCTAssertEqual(k.emulator.object("clusterroles", namespace: nil, name: "cr1")?["rules"], [["verbs": ["get"], "nonResourceURLs": ["/healthz"]]])
        XCTAssertEqual(k.emulator.object("clusterrolebindings", namespace: nil, name: "crb1")?["subjects"]?[0]?["name"], "alice")
        let pdb = try XCTUnwrap(k.emulator.object("poddisruptionbudgets", namespace: "default", name: "pdb1"))
        XCTAssertEqual(pdb["spec"]?["maxUnavailable"], 0, "IntOrString 0 is kept")
        XCTAssertNil(pdb["spec"]?["minAvailable"])
        XCTAssertEqual(k.emulator.object("services", namespace: "default", name: "svc1")?["spec"]?["ports"],
                       [["name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080, "nodePort": 30080]])
        await k.stop()
    }

    /// The Eviction envelope drain sends, built by hand: DeleteOptions with
    /// preconditions, dryRun and gracePeriodSeconds are all read.
    func testEvictionWithDeleteOptionsDecodes() {
        func field(_ n: Int, _ payload: [UInt8]) -> [UInt8] { [UInt8(n << 3 | 2), UInt8(payload.count)] + payload }
        func text(_ n: Int, _ s: String) -> [UInt8] { field(n, Array(s.utf8)) }
        let preconditions = text(1, "uid-1") + text(2, "42")
        let options = [0x08, 0x00] + field(2, preconditions) + text(5, "All")  // gracePeriodSeconds=0 (a pointer)
        let eviction = field(1, text(1, "web-1") + text(3, "default")) + field(2, options)
        let envelope = ProtobufBody.magic + field(1, text(1, "policy/v1") + text(2, "Eviction")) + field(2, eviction)
        let decoded = ProtobufBody.decode(Data(envelope))
        XCTAssertEqual(decoded?["kind"], "Eviction")
        XCTAssertEqual(decoded?["metadata"]?["name"], "web-1")
        XCTAssertEqual(decoded?["deleteOptions"], ["gracePeriodSeconds": 0, "preconditions": ["uid": "uid-1", "resourceVersion": "42"],
                                                    "dryRun": ["All"]])
        // Truncated bodies are refused, not half-read.
        XCTAssertNil(ProtobufBody.decode(Data(envelope.dropLast(3))))
    }
}
