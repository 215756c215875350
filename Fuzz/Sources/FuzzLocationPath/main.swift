import Foundation
import FuzzSupport
import KubeClient
import Reconciler

// A Gatekeeper mutator `location` (cluster data: anyone who may create a mutator writes
// it). Invariants: no crash; an error is one line; a parsed path prints back to text that
// parses to the same path; the spec projection built from it keeps a subset of a pod spec.

let podSpec: JSONValue = [
    "nodeName": "node-1",
    "containers": [["name": "app", "image": "nginx", "securityContext": ["allowPrivilegeEscalation": true]], ["name": "side", "env": [["name": "A", "value": "1"]]]],
    "securityContext": ["runAsNonRoot": true],
]

fuzzMain { data in
    let text = String(decoding: data, as: UTF8.self)
    let path: LocationPath
    do {
        path = try LocationPath(parsing: text)
    } catch let error as LocationPathError {
        requireOneLine(error.description, "location error")
        return
    } catch {
        fatalError("LocationPath(parsing:) threw \(type(of: error))")
    }
    let printed = path.description
    do {
        let again = try LocationPath(parsing: printed)
        require(again == path, "\(text.debugDescription) parses to \(path.nodes), printed as \(printed.debugDescription) it parses to \(again.nodes)")
    } catch {
        require(false, "\(text.debugDescription) parses, printed as \(printed.debugDescription) it does not: \(error)")
    }
    require(path.hasPrefix(LocationPath(Array(path.nodes.prefix(path.nodes.count / 2)))), "a path does not start with its own first nodes")
    // Paths of a pod spec: what a mutator on pods reaches (its location minus `spec`).
    let projection = SpecProjection(keeping: [path])
    let kept = projection.apply(podSpec)
    require(isSubset(kept, of: podSpec), "projection of \(printed.debugDescription) invents data: \(kept)")
}

/// `a` holds nothing that `b` does not (objects keep fewer keys, arrays fewer elements in order).
func isSubset(_ a: JSONValue, of b: JSONValue) -> Bool {
    switch (a, b) {
    case (.object(let x), .object(let y)):
        return x.allSatisfy { k, v in y[k].map { isSubset(v, of: $0) } ?? false }
    case (.array(let x), .array(let y)):
        var rest = y[...]
        for v in x {
            guard let i = rest.firstIndex(where: { isSubset(v, of: $0) }) else { return false }
            rest = rest[(i + 1)...]
        }
        return true
    default:
        return a == b
    }
}
