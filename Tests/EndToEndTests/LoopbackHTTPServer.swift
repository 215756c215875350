import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for the notification tests: records each request
/// (head and body) and answers every one with `status`. One connection at a time is enough
/// for kreconcile's one POST (plus its retry).
final class LoopbackHTTPServer: Sendable {
    struct Received: Sendable {
        var head: String
        var body: String
    }

    let port: Int
    private let fd: Int32
    private let received = Mutex<[Received]>([])
    private let status: Int

    init(status: Int = 200) throws {
        self.status = status
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(sock, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var out = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &out) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(sock, $0, &len) } }
        fd = sock
        port = Int(UInt16(bigEndian: out.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var requests: [Received] { received.withLock { $0 } }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }

    private func serve() {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = read(client, &buffer, buffer.count)
                if n <= 0 { break }
                data.append(contentsOf: buffer[0..<n])
                if let split = data.range(of: Data("\r\n\r\n".utf8)) {
                    let head = String(decoding: data[..<split.lowerBound], as: UTF8.self)
                    let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                        .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                    if data.count - split.upperBound >= length {
                        received.withLock { $0.append(Received(head: head, body: String(decoding: data[split.upperBound...], as: UTF8.self))) }
                        break
                    }
                }
            }
            let answer = "HTTP/1.1 \(status) X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            _ = answer.withCString { write(client, $0, strlen($0)) }
            close(client)
        }
    }
}
