/// An injected failure or delay, matched against requests before normal handling.
public struct FaultRule: Sendable {
    public enum Action: Sendable {
        /// Answer a Status with this code/reason/message (and `Retry-After` when given).
        case status(code: Int, reason: String, message: String, retryAfterSeconds: Int?)
        /// Sleep, then keep evaluating rules and handle the request normally.
        case latency(seconds: Double)
        /// Answer 410 Expired to a list call that carries a continue token.
        case expireContinue
        /// Handle the request, then close the connection: before any response for nil or 0,
        /// else after the headers and this many body bytes (Content-Length promises more).
        case resetConnection(afterBytes: Int?)
        /// Handle the request, send the full Content-Length but only this many body bytes,
        /// then close.
        case truncateBody(bytes: Int)
    }

    /// get, list, watch, create, update, patch, delete, deletecollection; nil = any.
    public var verb: String?
    /// Plural resource ("pods"); a subresource request matches "pods/eviction". nil = any.
    public var resource: String?
    /// Object name glob where `*` matches any run of characters. nil = any.
    public var namePattern: String?
    /// Matching calls to let through before the rule fires.
    public var afterCalls: Int
    /// How many times it fires; Int.max = forever.
    public var count: Int
    public var action: Action

    public init(verb: String? = nil, resource: String? = nil, namePattern: String? = nil,
                afterCalls: Int = 0, count: Int = Int.max, action: Action) {
        self.verb = verb
        self.resource = resource
        self.namePattern = namePattern
        self.afterCalls = afterCalls
        self.count = count
        self.action = action
    }

    static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "*" { star = pi; mark = ti; pi += 1 }
            else if pi < p.count, p[pi] == t[ti] { pi += 1; ti += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ti = mark }
            else { return false }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

/// Rules plus how often each has matched and fired.
struct FaultState: Sendable {
    struct Entry: Sendable { var rule: FaultRule; var seen = 0; var fired = 0 }
    var entries: [Entry] = []

    /// Actions to take for this request, in rule order; counts every match.
    mutating func actions(verb: String, resource: String, name: String, hasContinue: Bool) -> [FaultRule.Action] {
        var out: [FaultRule.Action] = []
        for i in entries.indices {
            let r = entries[i].rule
            if let v = r.verb, v != verb { continue }
            if let res = r.resource, res != resource { continue }
            if let p = r.namePattern, !FaultRule.glob(p, matches: name) { continue }
            if case .expireContinue = r.action, !(verb == "list" && hasContinue) { continue }
            entries[i].seen += 1
            guard entries[i].seen > r.afterCalls, entries[i].fired < r.count else { continue }
            entries[i].fired += 1
            out.append(r.action)
        }
        return out
    }
}
