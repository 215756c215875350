import Foundation
import KubeClient

/// `notify: {urlFile | urlEnv | url, format, on}`: one POST per run with its summary. The
/// URL (a Slack webhook URL is itself the credential) is read at run start from a file (a
/// mounted Secret) or an environment variable and never printed, not even in errors.
public struct NotifySettings: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case file(String)
        case env(String)
        /// Written in the settings file itself (a ConfigMap: prefer urlFile or urlEnv).
        case inline(String)
    }

    public enum Format: String, Sendable, Equatable, CaseIterable {
        /// `{"apiVersion": "kreconcile.io/v1alpha1", "kind": "RunNotification", ...}`.
        case generic
        /// `{"text": "..."}` for a Slack incoming webhook.
        case slack
    }

    /// When a run notifies; a run notifies once if any of its events is listed.
    public enum Event: String, Sendable, Equatable, CaseIterable, Codable {
        /// At least one action was applied.
        case applied
        /// An action or the run failed, or the run stopped early.
        case failed
        /// A safety limit was crossed.
        case aborted
    }

    public var source: Source
    public var format: Format
    public var on: [Event]

    public init(source: Source, format: Format = .generic, on: [Event] = Event.allCases) {
        self.source = source
        self.format = format
        self.on = on
    }

    static func parse(_ fields: YAMLFields) throws -> NotifySettings {
        try fields.rejectUnknownKeys(["url", "urlFile", "urlEnv", "format", "on"])
        var sources: [Source] = []
        if let path = try fields.string("urlFile") { sources.append(.file(path)) }
        if let name = try fields.string("urlEnv") {
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw fields.error("urlEnv", "must be an environment variable name like KRECONCILE_NOTIFY_URL")
            }
            sources.append(.env(name))
        }
        if let url = try fields.string("url") {
            guard NotifyTarget.isHTTPURL(url) else { throw fields.error("url", "must be an http:// or https:// URL") }
            sources.append(.inline(url))
        }
        guard sources.count == 1, let source = sources.first else {
            throw fields.error(sources.isEmpty ? "urlFile" : "url", "set exactly one of urlFile, urlEnv or url")
        }
        var out = NotifySettings(source: source)
        if let format = try fields.string("format") {
            guard let parsed = Format(rawValue: format) else { throw fields.error("format", "must be generic or slack, got \"\(format)\"") }
            out.format = parsed
        }
        if fields.has("on") {
            let names = try fields.strings("on")
            out.on = try names.enumerated().map { i, name in
                guard let event = Event(rawValue: name) else {
                    throw fields.error("on[\(i)]", "must be applied, failed or aborted, got \"\(name)\"")
                }
                return event
            }
        }
        return out
    }
}

/// The resolved notification URL. Its description never shows the URL.
public struct NotifyTarget: Sendable, CustomStringConvertible {
    let url: String
    public let format: NotifySettings.Format
    public let on: [NotifySettings.Event]
    /// Where the URL came from, safe to print: "notify.urlFile /etc/kreconcile/notify/url".
    public let origin: String

    public var description: String { "notification webhook (\(origin))" }

    /// Reads the URL; errors name the field and the file or variable, never the content.
    public static func resolve(_ settings: NotifySettings, environment: [String: String]) throws(SettingsError) -> NotifyTarget {
        let url: String, origin: String, field: String
        switch settings.source {
        case .file(let path):
            (field, origin) = ("notify.urlFile", "notify.urlFile \(path)")
            do { url = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) } catch {
                throw SettingsError("\(field): cannot read \(path): \((error as NSError).localizedDescription)")
            }
        case .env(let name):
            (field, origin) = ("notify.urlEnv", "notify.urlEnv \(name)")
            guard let value = environment[name], !value.isEmpty else { throw SettingsError("\(field): environment variable \(name) is not set") }
            url = value.trimmingCharacters(in: .whitespacesAndNewlines)
        case .inline(let value):
            (field, origin, url) = ("notify.url", "notify.url", value)
        }
        guard isHTTPURL(url) else { throw SettingsError("\(origin): the value is not an http:// or https:// URL (not shown: it may hold a token)") }
        return NotifyTarget(url: url, format: settings.format, on: settings.on, origin: origin)
    }

    static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else { return false }
        return !text.contains(where: { $0.isWhitespace })
    }
}

extension NotifySettings.Source: CustomStringConvertible, CustomDebugStringConvertible {
    /// Settings may be printed while debugging: an inline URL never is.
    public var description: String {
        switch self {
        case .file(let path): return "urlFile \(path)"
        case .env(let name): return "urlEnv \(name)"
        case .inline: return "url (not shown)"
        }
    }
    public var debugDescription: String { description }
}
