import Foundation
import Yams

/// One kubeconfig file, parsed just enough to merge it with others: named entries keep
/// their position (for error messages) and the file they came from (for relative paths).
struct KubeconfigFile {
    struct Entry {
        var name: String
        var fields: YAMLFields        // the inner `cluster:`/`user:`/`context:` mapping
        var directory: String         // relative paths resolve against this
    }

    var path: String
    var display: String
    var currentContext: String?
    var clusters: [Entry] = []
    var users: [Entry] = []
    var contexts: [Entry] = []

    static func load(path: String, home: String?) throws -> KubeconfigFile {
        let display = "kubeconfig \(displayPath(path, home: home))"
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError("\(display): cannot read: \(describeFileError(error, path: path))")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError("\(display): not valid YAML: \(oneLineProblem(error))")
        }
        let top = YAMLFields(node: root, path: "", file: display)
        if let root, root.mapping == nil { throw ConfigError("\(display): not a kubeconfig (top level is not a mapping)") }
        if let kind = try top.string("kind"), kind != "Config" {
            throw ConfigError("\(display): kind: expected Config, found \(kind)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        var file = KubeconfigFile(path: path, display: display, currentContext: try top.string("current-context"))
        file.clusters = try entries(top, list: "clusters", inner: "cluster", directory: directory)
        file.users = try entries(top, list: "users", inner: "user", directory: directory)
        file.contexts = try entries(top, list: "contexts", inner: "context", directory: directory)
        return file
    }

    private static func entries(_ top: YAMLFields, list: String, inner: String, directory: String) throws -> [Entry] {
        try top.sequence(list).map { item in
            guard let name = try item.string("name"), !name.isEmpty else { throw item.error("name", "missing") }
            let fields = try item.mapping(inner) ?? YAMLFields(node: nil, path: "\(item.path).\(inner)", file: item.file)
            return Entry(name: name, fields: fields, directory: directory)
        }
    }
}

/// Several files merged by client-go's rule: the first file that defines a name wins,
/// and the first non-empty current-context wins.
struct MergedKubeconfig {
    var files: [KubeconfigFile]
    var currentContext: String?
    var clusters: [String: KubeconfigFile.Entry] = [:]
    var users: [String: KubeconfigFile.Entry] = [:]
    var contexts: [String: KubeconfigFile.Entry] = [:]

    init(files: [KubeconfigFile]) {
        self.files = files
        for file in files {
            if currentContext == nil, let c = file.currentContext, !c.isEmpty { currentContext = c }
            for e in file.clusters where clusters[e.name] == nil { clusters[e.name] = e }
            for e in file.users where users[e.name] == nil { users[e.name] = e }
            for e in file.contexts where contexts[e.name] == nil { contexts[e.name] = e }
        }
    }

    var description: String { files.map(\.display).joined(separator: ", ") }
}

func describeFileError(_ error: any Error, path: String) -> String {
    let ns = error as NSError
    if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoSuchFileError || ns.code == 260 { return "no such file" }
    if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoPermissionError || ns.code == 257 { return "permission denied" }
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    return oneLine(ns.localizedDescription)
}

func oneLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
}
