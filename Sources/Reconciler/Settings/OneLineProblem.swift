import Yams

/// Yams describes a syntax error over several lines (with the source and a caret); errors
/// here are one line: "line 3, column 7: mapping values are not allowed in this context".
func oneLineProblem(_ error: any Error) -> String {
    switch error as? YamlError {
    case .scanner(_, let problem, let mark, _)?, .parser(_, let problem, let mark, _)?, .composer(_, let problem, let mark, _)?:
        return "line \(mark.line), column \(mark.column): \(problem)"
    case .duplicatedKeysInMapping(let duplicates, let context)?:
        return "line \(context.mark.line): duplicate key \(duplicates.joined(separator: ", "))"
    default:
        return "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}
