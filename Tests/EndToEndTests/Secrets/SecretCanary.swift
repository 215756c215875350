import Foundation
import XCTest

/// Distinctive secret values every end-to-end kubeconfig and cluster carries (BinaryHarness),
/// and the check that none of them reaches anything kreconcile prints or writes: a leak
/// anywhere in the end-to-end suite fails the test that caused it.
enum SecretCanary {
    /// The bearer token the emulator requires, handed out by the exec plugin below.
    static let token = "kr3c-canary-t0ken-9f41c7d2"
    /// Base64-alphabet bodies of the PEM blocks in the kubeconfig (client certificate and key):
    /// a printed certificate or key would show them.
    static let certificateBody = "S3cr3tCan4ryClientCertB0dy9f41c7d2"
    static let keyBody = "S3cr3tCan4ryClientKeyB0dy9f41c7d2"
    /// The exec plugin's whole output carries this too (an unused field of its status).
    static let execMarker = "kr3c-canary-exec-0utput-9f41c7d2"
    /// The data of a Secret seeded into every end-to-end cluster (kreconcile lists Secrets as
    /// metadata only, so their data must never show).
    static let secretData = "kr3c-canary-secret-data-9f41c7d2"

    static var all: [(name: String, value: String)] {
        [("token", token), ("client certificate", certificateBody), ("client key", keyBody), ("exec output", execMarker),
         ("Secret data", secretData), ("Secret data (base64)", Data(secretData.utf8).base64EncodedString())]
    }

    static let certificatePEM = "-----BEGIN CERTIFICATE-----\n\(certificateBody)\n-----END CERTIFICATE-----\n"
    static let keyPEM = "-----BEGIN PRIVATE KEY-----\n\(keyBody)\n-----END PRIVATE KEY-----\n"

    /// The names of the canaries `text` contains.
    static func leaks(in text: String) -> [String] {
        all.filter { text.contains($0.value) }.map(\.name)
    }

    /// Fails the running test for every canary in `text`.
    static func assertNoLeak(_ text: String, in place: String, file: StaticString = #filePath, line: UInt = #line) {
        let found = leaks(in: text)
        if !found.isEmpty { XCTFail("secret leaked (\(found.joined(separator: ", "))) in \(place): \(text.prefix(2000))", file: file, line: line) }
    }

    /// An exec credential plugin that prints the canary token (and the exec marker).
    static func execPlugin() -> String {
        """
        #!/bin/sh
        printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"\(token)"},"spec":{"note":"\(execMarker)"}}'

        """
    }

    /// A Secret whose data is the canary, seeded into every end-to-end cluster.
    static let secretYAML = """
        apiVersion: v1
        kind: Secret
        metadata: {name: kreconcile-e2e-canary, namespace: default, uid: 7c1e0a00-0000-4000-8000-00000000ca11}
        type: Opaque
        data: {password: \(Data(secretData.utf8).base64EncodedString())}

        """
}
