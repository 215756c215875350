import Foundation

/// Throw-away PKI made with the `openssl` CLI at run time (no key is ever committed):
/// a server CA and a server certificate for 127.0.0.1, ::1 and localhost, a client CA
/// with a client certificate (CN=test-user, O=system:masters), and an unrelated "wrong"
/// CA with a client certificate of its own.
public struct EmulatorCertificates: Sendable {
    public struct Pair: Sendable {
        public var certificatePEM: String
        public var keyPEM: String
        public var certificateURL: URL
        public var keyURL: URL
    }

    public var directory: URL
    public var ca: Pair
    public var server: Pair
    public var clientCA: Pair
    public var client: Pair
    public var wrongCA: Pair
    /// A client certificate signed by the wrong CA: must be refused.
    public var wrongClient: Pair

    /// Server TLS settings that verify client certificates against `clientCA`.
    public var tls: EmulatorTLS {
        EmulatorTLS(certificatePEM: server.certificatePEM, privateKeyPEM: server.keyPEM, clientCAPEM: clientCA.certificatePEM)
    }

    public static func generate(in directory: URL, openssl: String = "/usr/bin/openssl") throws -> EmulatorCertificates {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let gen = Generator(dir: directory, openssl: openssl)
        let ca = try gen.authority("ca", cn: "kube-emulator-ca")
        let server = try gen.leaf("server", subject: "/CN=kube-emulator", signer: "ca",
                                  extensions: "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth")
        let clientCA = try gen.authority("client-ca", cn: "kube-emulator-client-ca")
        let client = try gen.leaf("client", subject: "/O=system:masters/CN=test-user", signer: "client-ca",
                                  extensions: "extendedKeyUsage=clientAuth")
        let wrongCA = try gen.authority("wrong-ca", cn: "unrelated-ca")
        let wrongClient = try gen.leaf("wrong-client", subject: "/O=system:masters/CN=intruder", signer: "wrong-ca",
                                       extensions: "extendedKeyUsage=clientAuth")
        return EmulatorCertificates(directory: directory, ca: ca, server: server, clientCA: clientCA, client: client,
                                    wrongCA: wrongCA, wrongClient: wrongClient)
    }

    /// Another server certificate from the same CA, for TLS failure tests: `altNames` in
    /// openssl's syntax ("DNS:kube.example"), valid for `days` from now (-1: expired a day
    /// ago, as openssl's `-days -1` makes notAfter precede notBefore).
    public func serverCertificate(_ name: String, altNames: String, days: Int = 3650, openssl: String = "/usr/bin/openssl") throws -> Pair {
        try Generator(dir: directory, openssl: openssl).leaf(name, subject: "/CN=\(name)", signer: "ca",
                                                              extensions: "subjectAltName=\(altNames)\nextendedKeyUsage=serverAuth", days: days)
    }

    private struct Generator {
        var dir: URL
        var openssl: String

        func authority(_ name: String, cn: String) throws -> Pair {
            try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", path(name, "key"), "-out", path(name, "crt"), "-days", "3650", "-subj", "/CN=\(cn)",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
            return try pair(name)
        }

        func leaf(_ name: String, subject: String, signer: String, extensions: String, days: Int = 3650) throws -> Pair {
            try run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", path(name, "key"), "-out", path(name, "csr"), "-subj", subject])
            let ext = dir.appendingPathComponent("\(name).ext")
            try (extensions + "\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n")
                .write(to: ext, atomically: true, encoding: .utf8)
            try run(["x509", "-req", "-in", path(name, "csr"), "-CA", path(signer, "crt"), "-CAkey", path(signer, "key"),
                     "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-out", path(name, "crt"),
                     "-days", String(days), "-extfile", ext.path])
            return try pair(name)
        }

        private func path(_ name: String, _ ext: String) -> String { dir.appendingPathComponent("\(name).\(ext)").path }

        private func pair(_ name: String) throws -> Pair {
            let crt = dir.appendingPathComponent("\(name).crt"), key = dir.appendingPathComponent("\(name).key")
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
            return Pair(certificatePEM: try String(contentsOf: crt, encoding: .utf8), keyPEM: try String(contentsOf: key, encoding: .utf8),
                        certificateURL: crt, keyURL: key)
        }

        private func run(_ args: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: openssl)
            process.arguments = args
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let stderr = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw EmulatorError.certificateGeneration("openssl \(args.first ?? "") failed: \(String(decoding: stderr, as: UTF8.self))")
            }
        }
    }
}
