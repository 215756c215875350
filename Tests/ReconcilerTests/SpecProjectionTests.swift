import KubeClient
@testable import Reconciler
import XCTest

/// A pod keeps only the part of its spec the mutators reach; a mutation must judge the
/// projected spec exactly as the whole one.
final class SpecProjectionTests: XCTestCase {
    static let spec: JSONValue = [
        "nodeName": "node-1",
        "containers": [
            ["name": "app", "image": "shop/app:1", "env": [["name": "A", "value": "1"]], "securityContext": ["allowPrivilegeEscalation": true, "runAsUser": 1000]],
            ["name": "sidecar", "image": "envoy:1.29", "resources": ["limits": ["cpu": "100m"]]],
        ],
        "volumes": [["name": "config", "configMap": ["name": "app-config"]]],
        "dnsPolicy": "ClusterFirst",
    ]

    func path(_ text: String) throws -> LocationPath { try LocationPath(parsing: text) }

    func testKeepsTheFieldsAlongTheLocationsTheKeysAndTheValuesAtTheEnd() throws {
        let p = SpecProjection(keeping: [try path("containers[name:*].securityContext.allowPrivilegeEscalation"), try path("containers[name: sidecar].image")])
        XCTAssertEqual(p.apply(Self.spec), [
            "containers": [
                ["name": "app", "image": "shop/app:1", "securityContext": ["allowPrivilegeEscalation": true]],
                ["name": "sidecar", "image": "envoy:1.29"],
            ],
        ])
        XCTAssertEqual(SpecProjection(keeping: []).apply(Self.spec), [:], "no location under spec: nothing kept")
        XCTAssertEqual(SpecProjection(keeping: [LocationPath([])]).apply(Self.spec), Self.spec, "the whole spec")
        // One location walks `volumes` as an object, another selects in it as a list: all of it is kept.
        let conflict = SpecProjection(keeping: [try path("volumes.x"), try path("volumes[name:*].y")])
        XCTAssertEqual(conflict.apply(Self.spec)["volumes"], Self.spec["volumes"])
    }

    func testUnionKeepsWhatEitherKeeps() throws {
        let a = SpecProjection(keeping: [try path("containers[name:*].image")])
        let b = SpecProjection(keeping: [try path("dnsPolicy")])
        XCTAssertEqual(a.union(b), SpecProjection(keeping: [try path("containers[name:*].image"), try path("dnsPolicy")]))
        XCTAssertEqual(a.union(.whole), .whole)
        XCTAssertEqual(SpecProjection(keeping: []).union(a), a)
    }

    /// The property the snapshot relies on: for each mutation, the projected spec changes
    /// iff the whole one does, and into the projection of the whole result.
    func testMutationsJudgeTheProjectedSpecAsTheWholeOne() throws {
        let cases: [(String, PathSetter, PathTests)] = [
            ("containers[name:*].securityContext.allowPrivilegeEscalation", .assign(false), PathTests()),
            ("containers[name:*].securityContext.allowPrivilegeEscalation", .assign(true), PathTests()),
            ("containers[name: app].image", .image(ImageAssignment(domain: "registry.local", path: nil, tag: nil)), PathTests()),
            ("containers[name: sidecar].args", .merge(["--x"]), PathTests()),
            ("containers[name: missing].image", .assign("x"), PathTests()),
            ("containers[name: missing].image", .assign("x"), PathTests([1: .mustExist])),
            ("dnsPolicy", .assign("None"), PathTests()),
            ("dnsPolicy", .assign("ClusterFirst"), PathTests()),
            ("volumes.config", .assign("x"), PathTests()),  // a list where the path says object: fails on both
            ("containers[name: app]", .assign(["name": "app"]), PathTests()),
        ]
        for (location, setter, tests) in cases {
            let loc = try path(location)
            let projection = SpecProjection(keeping: [loc])
            let projected = projection.apply(Self.spec)
            let mutation = PathMutation(path: loc, tests: tests, setter: setter)
            let whole = Result { try mutation.apply(to: Self.spec) }
            let part = Result { try mutation.apply(to: projected) }
            switch (whole, part) {
            case (.success(let w), .success(let p)):
                XCTAssertEqual(w != Self.spec, p != projected, location)
                XCTAssertEqual(projection.apply(w), p, location)
            case (.failure(let a), .failure(let b)):
                XCTAssertEqual("\(a)", "\(b)", location)
            default:
                XCTFail("\(location): whole \(whole), projected \(part)")
            }
        }
    }
}
