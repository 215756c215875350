import KubeClient
@testable import Reconciler
import XCTest

/// The evaluator: a mutator's location, value and path tests applied to an object the way
/// Gatekeeper's core.Mutate does (pkg/mutation/mutators/core/mutation_function.go).
final class GatekeeperPathMutationTests: XCTestCase {
    let pod: JSONValue = [
        "metadata": ["name": "p", "labels": ["app": "a"]],
        "spec": ["containers": [
            ["name": "app", "image": "nginx", "securityContext": ["allowPrivilegeEscalation": false]],
            ["name": "sidecar", "image": "envoy"],
        ]],
    ]

    func apply(_ location: String, _ setter: PathSetter, tests: [Int: PathTests.Condition] = [:], to object: JSONValue? = nil) throws -> JSONValue {
        try PathMutation(path: LocationPath(parsing: location), tests: PathTests(tests), setter: setter).apply(to: object ?? pod)
    }

    func testGlobAssignsToEveryExistingElementAndCreatesMissingObjects() throws {
        let out = try apply("spec.containers[name: *].securityContext.allowPrivilegeEscalation", .assign(false))
        XCTAssertEqual(out["spec"]?["containers"]?[0], pod["spec"]?["containers"]?[0], "already carries it")
        XCTAssertEqual(out["spec"]?["containers"]?[1]?["securityContext"], ["allowPrivilegeEscalation": false], "sidecar gets it")
        XCTAssertEqual(try apply("spec.containers[name: *].securityContext.allowPrivilegeEscalation", .assign(false), to: out), out, "idempotent")
    }

    func testGlobOnAnEmptyListChangesNothing() throws {
        let empty: JSONValue = ["spec": ["containers": []]]
        XCTAssertEqual(try apply("spec.containers[name: *].image", .assign("x"), to: empty), empty)
        let missing: JSONValue = ["spec": [:]]
        XCTAssertEqual(try apply("spec.initContainers[name: *].image", .assign("x"), to: missing), missing,
                       "nothing below changed, so not even the list is created (as in Gatekeeper)")
    }

    func testKeyedSelectorChangesTheMatchingElementOrAppendsOne() throws {
        let out = try apply("spec.containers[name: sidecar].imagePullPolicy", .assign("Always"))
        XCTAssertEqual(out["spec"]?["containers"]?[1]?["imagePullPolicy"], "Always")
        XCTAssertNil(out["spec"]?["containers"]?[0]?["imagePullPolicy"])
        let added = try apply("spec.containers[name: logger].image", .assign("fluent-bit"))
        XCTAssertEqual(added["spec"]?["containers"]?.arrayValue?.count, 3)
        XCTAssertEqual(added["spec"]?["containers"]?[2], ["name": "logger", "image": "fluent-bit"])
    }

    func testLocationEndingInAKeyedListReplacesOrAppendsTheWholeElement() throws {
        let toleration: JSONValue = ["key": "dedicated", "operator": "Exists"]
        let out = try apply("spec.tolerations[key: dedicated]", .assign(toleration))
        XCTAssertEqual(out["spec"]?["tolerations"], [toleration])
        XCTAssertEqual(try apply("spec.tolerations[key: dedicated]", .assign(toleration), to: out), out)
        XCTAssertThrowsError(try apply("spec.containers[name: *]", .assign(["name": "x"])))
    }

    func testPathTestsStopTheMutation() throws {
        // MustExist on securityContext: only containers that have one are changed.
        let must = try apply("spec.containers[name: *].securityContext.runAsNonRoot", .assign(true), tests: [3: .mustExist])
        XCTAssertEqual(must["spec"]?["containers"]?[0]?["securityContext"]?["runAsNonRoot"], true)
        XCTAssertNil(must["spec"]?["containers"]?[1]?["securityContext"])
        // MustNotExist on the final field: an existing value is left alone.
        let mustNot = try apply("spec.containers[name: app].securityContext.allowPrivilegeEscalation", .assign(true), tests: [4: .mustNotExist])
        XCTAssertEqual(mustNot, pod)
        // MustNotExist on a glob can never hold.
        XCTAssertEqual(try apply("spec.containers[name: *].image", .assign("x"), tests: [2: .mustNotExist]), pod)
        // MustExist on a keyed element that is not there: no element is added.
        XCTAssertEqual(try apply("spec.containers[name: nope].image", .assign("x"), tests: [2: .mustExist]), pod)
    }

    func testTypeMismatchIsAnError() {
        XCTAssertThrowsError(try apply("spec.containers.name", .assign("x"))) { error in
            XCTAssertEqual("\(error)", "spec.containers is array, not an object")
        }
        XCTAssertThrowsError(try apply("metadata.name[key: x].y", .assign("x"))) { error in
            XCTAssertEqual("\(error)", "metadata.name is string, not a list")
        }
    }

    func testAssignIfMissingNeverOverwrites() throws {
        XCTAssertEqual(try apply("metadata.labels.app", .assignIfMissing("b")), pod)
        XCTAssertEqual(try apply("metadata.labels.team", .assignIfMissing("b"))["metadata"]?["labels"], ["app": "a", "team": "b"])
        XCTAssertEqual(try apply("metadata.annotations.x", .assignIfMissing("y"))["metadata"]?["annotations"], ["x": "y"])
    }

    func testModifySetMergesAndPrunes() throws {
        let o: JSONValue = ["spec": ["containers": [["name": "a", "args": ["--a", "--b"]]]]]
        let loc = "spec.containers[name: a].args"
        XCTAssertEqual(try apply(loc, .merge(["--b"]), to: o), o)
        XCTAssertEqual(try apply(loc, .merge(["--b", "--c", "--c"]), to: o)["spec"]?["containers"]?[0]?["args"], ["--a", "--b", "--c"])
        XCTAssertEqual(try apply(loc, .prune(["--a", "--z"]), to: o)["spec"]?["containers"]?[0]?["args"], ["--b"])
        XCTAssertEqual(try apply(loc, .prune(["--z"]), to: o), o)
        XCTAssertEqual(try apply("spec.containers[name: a].command", .merge(["sh"]), to: o)["spec"]?["containers"]?[0]?["command"], ["sh"])
        XCTAssertEqual(try apply("spec.containers[name: a].command", .prune(["sh"]), to: o), o)
        XCTAssertThrowsError(try apply("spec.containers[name: a].name", .merge(["x"]), to: o))
    }

    func testAssignImageRewritesParts() throws {
        XCTAssertEqual(ImageAssignment(domain: "mirror.io").apply(to: "nginx:1.27"), "mirror.io/nginx:1.27")
        XCTAssertEqual(ImageAssignment(domain: "mirror.io").apply(to: "docker.io/library/nginx:1.27"), "mirror.io/library/nginx:1.27")
        XCTAssertEqual(ImageAssignment(tag: ":latest").apply(to: "localhost:5000/app@sha256:abc"), "localhost:5000/app:latest")
        XCTAssertEqual(ImageAssignment(path: "team/app").apply(to: "localhost/app:v1"), "localhost/team/app:v1")
        XCTAssertEqual(ImageAssignment(tag: "@sha256:1").apply(to: "my/app"), "my/app@sha256:1")
        let out = try apply("spec.containers[name: *].image", .image(ImageAssignment(domain: "mirror.io")))
        XCTAssertEqual(out["spec"]?["containers"]?[1]?["image"], "mirror.io/envoy")
    }
}
