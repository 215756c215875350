import KubeClient
@testable import Reconciler
import XCTest

/// The JSON patch that takes a run's patch back, from the object before and after it.
final class RevertPatchTests: XCTestCase {
    func ops(_ forward: [JSONPatchOperation], _ before: JSONValue, _ after: JSONValue) -> [JSONValue] {
        RevertPatch.ops(forward: forward.map(\.json), before: before, after: after).map(\.json)
    }

    func testAnAppendedOwnerReferenceIsRevertedToTheListBefore() {
        let a: JSONValue = ["name": "a"], b: JSONValue = ["name": "b"]
        let before: JSONValue = ["metadata": ["resourceVersion": "1", "ownerReferences": [a]]]
        let after: JSONValue = ["metadata": ["resourceVersion": "2", "ownerReferences": [a, b]]]
        XCTAssertEqual(ops([.test("/metadata/resourceVersion", "1"), .add("/metadata/ownerReferences/-", b)], before, after), [
            JSONPatchOperation.test("/metadata/ownerReferences", [a, b]).json,
            JSONPatchOperation.replace("/metadata/ownerReferences", [a]).json,
        ])
    }

    func testAFieldThatDidNotExistIsRemovedAndOneThatWasRemovedIsAddedBack() {
        let before: JSONValue = ["metadata": ["labels": ["x": "1"]]]
        let after: JSONValue = ["metadata": ["ownerReferences": [["name": "o"]]]]
        XCTAssertEqual(ops([.add("/metadata/ownerReferences", [["name": "o"]]), .remove("/metadata/labels")], before, after), [
            JSONPatchOperation.test("/metadata/ownerReferences", [["name": "o"]]).json,
            JSONPatchOperation.add("/metadata/labels", ["x": "1"]).json,
            JSONPatchOperation.remove("/metadata/ownerReferences").json,
        ])
    }

    func testAnImageReplacedInsideAContainerRevertsOnlyThatField() {
        let before: JSONValue = ["spec": ["containers": [["name": "c", "image": "a:1"]]]]
        let after: JSONValue = ["spec": ["containers": [["name": "c", "image": "a:2"]]]]
        XCTAssertEqual(ops([.test("/spec/containers/0/image", "a:1"), .replace("/spec/containers/0/image", "a:2")], before, after), [
            JSONPatchOperation.test("/spec/containers/0/image", "a:2").json,
            JSONPatchOperation.replace("/spec/containers/0/image", "a:1").json,
        ])
    }

    func testEscapedKeysAndNestedPathsUnderOneRoot() {
        let before: JSONValue = ["metadata": ["annotations": ["a/b": "1"]]]
        let after: JSONValue = ["metadata": ["annotations": ["a/b": "2", "c": "3"]]]
        let forward: [JSONPatchOperation] = [.replace("/metadata/annotations/a~1b", "2"), .add("/metadata/annotations/c", "3")]
        XCTAssertEqual(ops(forward, before, after), [
            JSONPatchOperation.test("/metadata/annotations/a~1b", "2").json, JSONPatchOperation.test("/metadata/annotations/c", "3").json,
            JSONPatchOperation.replace("/metadata/annotations/a~1b", "1").json, JSONPatchOperation.remove("/metadata/annotations/c").json,
        ])
        XCTAssertEqual(ops([.add("/metadata/annotations", ["x": "y"]), .add("/metadata/annotations/z", "1")], ["metadata": [:]],
                           ["metadata": ["annotations": ["x": "y", "z": "1"]]]).count, 2, "the nested op is covered by its root")
    }

    func testAPatchThatChangedNothingHasNoRevert() {
        let o: JSONValue = ["metadata": ["labels": ["x": "1"]]]
        XCTAssertEqual(ops([.add("/metadata/labels/x", "1")], o, o), [])
    }
}
