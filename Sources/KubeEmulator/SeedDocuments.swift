import Foundation
import KubeClient

/// Reads what `kubectl get -o json|yaml` prints (or multi-document YAML) into objects.
/// The parsing lives in KubeClient (`JSONValue.parseDocuments`), shared with kreconcile's
/// offline snapshot mode, so both read files the same way.
enum SeedDocuments {
    static func parse(_ text: String) throws -> [JSONValue] { try JSONValue.parseDocuments(text) }
}
