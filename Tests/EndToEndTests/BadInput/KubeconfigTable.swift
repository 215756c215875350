import Foundation
import KubeClient

/// Invalid kubeconfigs. Four valid bases hold every field the loader reads (the ways to
/// authenticate and to trust a server exclude each other); every node of each gets values
/// of the wrong shape, and each field its own invalid values below.
enum KubeconfigTable {
    static func b64(_ s: String) -> JSONValue { .string(Data(s.utf8).base64EncodedString()) }
    static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIBbadinputCA\n-----END CERTIFICATE-----\n"

    /// Next to each case (KubeconfigLoader resolves relative paths against the kubeconfig's directory).
    static let auxiliaryFiles = [
        "ca.crt": caPEM, "client.crt": SecretCanary.certificatePEM, "client.key": SecretCanary.keyPEM,
        "token.txt": SecretCanary.token + "\n", "not-pem.txt": "just text\n",
    ]

    static func base(cluster: JSONValue, user: JSONValue) -> JSONValue {
        [
            "kind": "Config", "current-context": "ctx",
            "clusters": [["name": "c", "cluster": cluster]],
            "users": [["name": "u", "user": user]],
            "contexts": [["name": "ctx", "context": ["cluster": "c", "user": "u", "namespace": "default"]]],
        ]
    }

    static let withToken = base(
        cluster: ["server": "@SERVER@", "certificate-authority-data": b64(caPEM), "tls-server-name": "localhost", "proxy-url": "http://127.0.0.1:9"],
        user: ["token": .string(SecretCanary.token), "as": "someone", "as-uid": "1", "as-groups": ["g1"]])
    static let withExec = base(
        cluster: ["server": "@SERVER@", "insecure-skip-tls-verify": true],
        user: ["client-certificate-data": b64(SecretCanary.certificatePEM), "client-key-data": b64(SecretCanary.keyPEM),
               "exec": ["apiVersion": "client.authentication.k8s.io/v1", "command": "/bin/true", "args": ["a"],
                        "env": [["name": "N", "value": "v"]], "installHint": "install it", "provideClusterInfo": true,
                        "interactiveMode": "Never"]])
    static let withFiles = base(
        cluster: ["server": "@SERVER@", "certificate-authority": "ca.crt"],
        user: ["client-certificate": "client.crt", "client-key": "client.key", "tokenFile": "token.txt"])
    static let withBasicAuth = base(cluster: ["server": "@SERVER@"], user: ["username": "me", "password": .string(SecretCanary.token)])

    static var cases: [BadInput] {
        var out: [BadInput] = []
        for (label, doc) in [("token", withToken), ("exec", withExec), ("files", withFiles), ("basic", withBasicAuth)] {
            for (path, value) in doc.nodes() {
                for wrong in WrongType.instead(of: value) {
                    let field = PathStep.render(path)
                    out.append(BadInput("\(label): \(field) = \(wrong.jsonString())", field: field, doc, setting: path, to: wrong))
                }
            }
        }
        out += semantic
        return out
    }

    static let cluster: [PathStep] = ["clusters", 0, "cluster"]
    static let user: [PathStep] = ["users", 0, "user"]
    static let context: [PathStep] = ["contexts", 0, "context"]
    static let exec = user + ["exec"]

    /// (base, path, value or nil to remove, the field named).
    static var semantic: [BadInput] {
        let edits: [(JSONValue, [PathStep], JSONValue?, String)] = [
            (withToken, ["kind"], "Pod", "kind"),
            (withToken, ["current-context"], "nowhere", "current-context"),
            (withToken, ["current-context"], nil, "current-context"),
            (withToken, ["clusters", 0, "name"], nil, "clusters[0].name"),
            (withToken, ["users", 0, "name"], "", "users[0].name"),
            (withToken, ["contexts", 0, "name"], nil, "contexts[0].name"),
            (withToken, context + ["cluster"], nil, "contexts[0].context.cluster"),
            (withToken, context + ["cluster"], "elsewhere", "contexts[0].context.cluster"),
            (withToken, context + ["user"], nil, "contexts[0].context.user"),
            (withToken, context + ["user"], "nobody", "contexts[0].context.user"),
            (withToken, context + ["namespace"], "Not_A_Namespace", "contexts[0].context.namespace"),
            (withToken, cluster + ["server"], nil, "clusters[0].cluster.server"),
            (withToken, cluster + ["server"], "ftp://example.com", "clusters[0].cluster.server"),
            (withToken, cluster + ["server"], "not a url", "clusters[0].cluster.server"),
            (withToken, cluster + ["proxy-url"], "ftp://proxy:21", "clusters[0].cluster.proxy-url"),
            (withToken, cluster + ["certificate-authority-data"], "%%% not base64 %%%", "clusters[0].cluster.certificate-authority-data"),
            (withToken, cluster + ["certificate-authority-data"], b64("not a certificate"), "clusters[0].cluster.certificate-authority-data"),
            (withToken.replacing(cluster + ["certificate-authority"], with: "ca.crt"), cluster + ["tls-server-name"], "localhost",
             "clusters[0].cluster.certificate-authority-data"),
            (withToken, cluster + ["insecure-skip-tls-verify"], true, "clusters[0].cluster.insecure-skip-tls-verify"),
            (withExec, cluster + ["insecure-skip-tls-verify"], "maybe", "clusters[0].cluster.insecure-skip-tls-verify"),
            (withFiles, cluster + ["certificate-authority"], "missing.crt", "clusters[0].cluster.certificate-authority"),
            (withFiles, cluster + ["certificate-authority"], "not-pem.txt", "clusters[0].cluster.certificate-authority"),
            (withFiles, user + ["client-certificate"], "missing.crt", "users[0].user.client-certificate"),
            (withFiles, user + ["client-certificate"], "client.key", "users[0].user.client-certificate"),
            (withFiles, user + ["client-key"], "missing.key", "users[0].user.client-key"),
            (withFiles, user + ["client-key"], "client.crt", "users[0].user.client-key"),
            (withFiles, user + ["client-key"], nil, "users[0].user.client-key"),
            (withFiles, user + ["client-certificate"], nil, "users[0].user.client-certificate"),
            (withFiles, user + ["client-key-data"], b64(SecretCanary.keyPEM), "users[0].user.client-key-data"),
            (withFiles, user + ["tokenFile"], "missing-token.txt", "users[0].user.tokenFile"),
            (withExec, user + ["client-certificate-data"], "%%% not base64 %%%", "users[0].user.client-certificate-data"),
            (withExec, user + ["client-certificate-data"], b64(SecretCanary.keyPEM), "users[0].user.client-certificate-data"),
            (withExec, user + ["client-key-data"], b64(SecretCanary.certificatePEM), "users[0].user.client-key-data"),
            (withExec, user + ["client-key-data"], nil, "users[0].user.client-key"),
            (withExec, user + ["token"], .string(SecretCanary.token), "users[0].user"),
            (withToken, user + ["username"], "me", "users[0].user"),
            (withToken, user + ["auth-provider"], ["name": "gcp"], "users[0].user.auth-provider"),
            (withToken, user + ["as"], nil, "users[0].user.as"),
            (withExec, exec + ["apiVersion"], nil, "users[0].user.exec.apiVersion"),
            (withExec, exec + ["apiVersion"], "client.authentication.k8s.io/v1alpha1", "users[0].user.exec.apiVersion"),
            (withExec, exec + ["command"], nil, "users[0].user.exec.command"),
            (withExec, exec + ["env", 0, "name"], nil, "users[0].user.exec.env[0].name"),
            (withExec, exec + ["interactiveMode"], "Always", "users[0].user.exec.interactiveMode"),
            (withExec, exec + ["interactiveMode"], "Sometimes", "users[0].user.exec.interactiveMode"),
            (withExec, exec + ["provideClusterInfo"], "maybe", "users[0].user.exec.provideClusterInfo"),
        ]
        var out = edits.map { base, path, value, field in
            BadInput("\(PathStep.render(path)) = \(value?.jsonString() ?? "(removed)")", field: field, base, setting: path, to: value)
        }
        // Not a kubeconfig at all. A syntax error on the token's line must not quote it.
        out.append(BadInput("a list", field: "top level", content: "- a\n- b\n"))
        out.append(BadInput("YAML syntax error", field: "line ", content: """
            kind: Config
            current-context: ctx
            users:
            - name: u
              user: {token: "\(SecretCanary.token)
            """))
        return out
    }
}
