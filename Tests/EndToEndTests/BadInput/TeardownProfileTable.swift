import Foundation
import KubeClient

/// Invalid teardown profiles. A valid profile uses every field the parser reads (both
/// actions, every way to select objects, finalizedBy); every node gets values of the wrong
/// shape, every mapping an unknown key, then each field's own rules below.
enum TeardownProfileTable {
    static let profile: JSONValue = [
        "apiVersion": "kreconcile.io/v1alpha1", "kind": "TeardownProfile", "name": "demo", "namespace": "demo",
        "steps": [
            [
                "name": "stop", "action": "scaleToZero", "waitFor": ["podsGone"], "timeout": "1m", "onlyWith": "deleteCRDs",
                "objects": [["group": "apps", "kind": "Deployment", "names": ["op"]]],
            ],
            [
                "name": "remove", "action": "delete", "propagation": "Background", "waitFor": ["deleted"], "timeout": "90s",
                "objects": [
                    ["group": "", "kind": "ConfigMap", "namespace": "demo", "labelSelector": "app=x"],
                    ["group": "apps", "kind": "Deployment", "ownedBy": ["group": "apps", "kind": "*"]],
                    ["group": "", "kind": "Secret", "all": true],
                ],
                "finalizedBy": ["group": "apps", "kind": "Deployment", "name": "op", "finalizers": ["example.com/cleanup"], "replicas": 1],
            ],
        ],
    ]

    /// The parser names a step by index and name: `steps[1](remove).objects[0].kind`.
    static func field(_ path: [PathStep]) -> String {
        guard path.count >= 3, path[0] == "steps", case .index(let i) = path[1], path[2] != "name" || path.count > 3,
              let name = profile.at(["steps", .index(i), "name"])?.stringValue else { return PathStep.render(path) }
        return "steps[\(i)](\(name))." + PathStep.render(Array(path.dropFirst(2)))
    }

    static var cases: [BadInput] {
        var out: [BadInput] = [BadInput("zzUnknownField", field: "zzUnknownField", profile, setting: ["zzUnknownField"], to: 1)]
        for (path, value) in profile.nodes() {
            var wrongs = WrongType.instead(of: value)
            // A bool (`all`) also gets a word.
            if value.boolValue != nil { wrongs.append("maybe") }
            for wrong in wrongs {
                out.append(BadInput("\(PathStep.render(path)) = \(wrong.jsonString())", field: field(path), profile, setting: path, to: wrong))
            }
            if value.objectValue != nil {
                out.append(BadInput("\(PathStep.render(path)).zzUnknownField", field: field(path + ["zzUnknownField"]), profile,
                                    setting: path + ["zzUnknownField"], to: 1))
            }
        }
        let stop: [PathStep] = ["steps", 0], remove: [PathStep] = ["steps", 1]
        let (s0, s1) = ("steps[0](stop)", "steps[1](remove)")
        // (path, value or nil to remove, the field named).
        let edits: [([PathStep], JSONValue?, String)] = [
            (["apiVersion"], "kreconcile.io/v1", "apiVersion"),
            (["apiVersion"], nil, "apiVersion"),
            (["kind"], "Profile", "kind"),
            (["name"], nil, "name"),
            (["name"], "Not_A_Name", "name"),
            (["namespace"], "Not_A_Namespace", "namespace"),
            (["steps"], .array([]), "steps"),
            (["steps"], nil, "steps"),
            (stop + ["name"], nil, "steps[0].name"),
            (stop + ["name"], "Stop", "steps[0](Stop).name"),
            (remove + ["name"], "stop", "steps[1](stop).name"),
            (stop + ["objects"], .array([]), "\(s0).objects"),
            (stop + ["objects"], nil, "\(s0).objects"),
            (stop + ["action"], nil, "\(s0).action"),
            (stop + ["action"], "explode", "\(s0).action"),
            (stop + ["propagation"], "Background", "\(s0).propagation"),
            (stop + ["objects", 0, "kind"], "ConfigMap", "\(s0).objects[0].kind"),
            (stop + ["waitFor"], ["deleted"], "\(s0).waitFor"),
            (stop + ["waitFor"], ["gone"], "\(s0).waitFor[0]"),
            (stop + ["timeout"], "soon", "\(s0).timeout"),
            (stop + ["timeout"], "0s", "\(s0).timeout"),
            (stop + ["onlyWith"], "always", "\(s0).onlyWith"),
            (stop + ["finalizedBy"], ["kind": "Deployment", "group": "apps", "name": "op", "finalizers": ["f"]], "\(s0).finalizedBy"),
            (remove + ["propagation"], "Sideways", "\(s1).propagation"),
            (remove + ["objects", 0, "group"], "Not_A_Group", "\(s1).objects[0].group"),
            (remove + ["objects", 0, "kind"], "configmap", "\(s1).objects[0].kind"),
            (remove + ["objects", 0, "kind"], nil, "\(s1).objects[0].kind"),
            (remove + ["objects", 0, "namespace"], "Not_A_Namespace", "\(s1).objects[0].namespace"),
            (remove + ["objects", 0, "labelSelector"], "", "\(s1).objects[0].labelSelector"),
            (remove + ["objects", 0, "labelSelector"], "app in (x", "\(s1).objects[0].labelSelector"),
            (remove + ["objects", 0, "labelSelector"], "app=!x", "\(s1).objects[0].labelSelector"),
            (remove + ["objects", 0, "labelSelector"], "app=x,", "\(s1).objects[0].labelSelector"),
            (remove + ["objects", 0, "labelSelector"], "Not A Key", "\(s1).objects[0].labelSelector"),
            (remove + ["objects", 0, "labelSelector"], "app>x", "\(s1).objects[0].labelSelector"),
            // None, or two, of names/labelSelector/ownedBy/all.
            (remove + ["objects", 0, "labelSelector"], nil, "\(s1).objects[0].names"),
            (remove + ["objects", 0, "names"], ["a"], "\(s1).objects[0].labelSelector"),
            (remove + ["objects", 1, "ownedBy", "group"], nil, "\(s1).objects[1].ownedBy.group"),
            (remove + ["objects", 1, "ownedBy", "kind"], "deployment", "\(s1).objects[1].ownedBy.kind"),
            (remove + ["objects", 2, "all"], false, "\(s1).objects[2].all"),
            (stop + ["objects", 0, "names"], .array([]), "\(s0).objects[0].names"),
            (stop + ["objects", 0, "names"], ["Not_A_Name"], "\(s0).objects[0].names[0]"),
            (remove + ["finalizedBy", "kind"], "Pod", "\(s1).finalizedBy.kind"),
            (remove + ["finalizedBy", "name"], nil, "\(s1).finalizedBy.name"),
            (remove + ["finalizedBy", "finalizers"], .array([]), "\(s1).finalizedBy.finalizers"),
            (remove + ["finalizedBy", "replicas"], 11, "\(s1).finalizedBy.replicas"),
            (remove + ["finalizedBy", "replicas"], 0, "\(s1).finalizedBy.replicas"),
        ]
        for (path, value, named) in edits {
            out.append(BadInput("\(PathStep.render(path)) = \(value?.jsonString() ?? "(removed)")", field: named, profile, setting: path, to: value))
        }
        // podsGone with no workload among the step's objects.
        let configMapsOnly = profile.replacing(remove + ["objects"], with: [profile.at(remove + ["objects", 0])!])
            .replacing(remove + ["finalizedBy"], with: nil)
        out.append(BadInput("podsGone without a workload", field: "\(s1).waitFor", configMapsOnly, setting: remove + ["waitFor"], to: ["podsGone"]))
        out.append(BadInput("a list", field: "must be a mapping", content: "- steps\n"))
        out.append(BadInput("YAML syntax error", field: "line ", content: "apiVersion: kreconcile.io/v1alpha1\nsteps: [\n"))
        return out
    }
}
