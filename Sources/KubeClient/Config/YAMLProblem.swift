import Yams

/// Yams describes a syntax error over several lines, quoting the source line with a caret;
/// errors here are one line and never quote the file (a kubeconfig line may hold a token):
/// "line 3, column 7: mapping values are not allowed in this context".
public func oneLineProblem(_ error: any Error) -> String {
    switch error as? YamlError {
    case .scanner(_, let problem, let mark, _)?, .parser(_, let problem, let mark, _)?, .composer(_, let problem, let mark, _)?:
        return "line \(mark.line), column \(mark.column): \(problem)"
    case .duplicatedKeysInMapping(let duplicates, let context)?:
        return "line \(context.mark.line): duplicate key \(duplicates.joined(separator: ", "))"
    case .some:
        // Other Yams errors (reader, emitter, decoding) describe no source position.
        return "the YAML cannot be read"
    case nil:
        return "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}
