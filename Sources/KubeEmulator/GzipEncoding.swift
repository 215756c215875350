import CZlib
import Foundation

/// Response compression as the real server does it (staging/src/k8s.io/apiserver/pkg/
/// endpoints/handlers/responsewriters/writers.go): when the client accepts gzip and the
/// body is larger than defaultGzipThresholdBytes (128 KiB), the body is gzipped at
/// defaultGzipContentEncodingLevel (1) with `Content-Encoding: gzip` and
/// `Vary: Accept-Encoding`.
enum GzipEncoding {
    static let thresholdBytes = 128 * 1024
    static let level: Int32 = 1

    /// `Accept-Encoding` lists gzip (parameters such as q= are not weighed).
    static func accepted(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains {
            $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "gzip"
        }
    }

    static func shouldCompress(bodySize: Int, acceptEncoding: String?) -> Bool {
        bodySize > thresholdBytes && accepted(acceptEncoding)
    }

    /// One gzip member holding the chunks back to back; nil if zlib fails (the caller then
    /// sends the body uncompressed).
    static func compress(_ chunks: [Data]) -> Data? {
        var stream = z_stream()
        guard kr_deflate_init_gzip(&stream, level) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        let total = chunks.reduce(0) { $0 + $1.count }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(total))) + 64)
        let ok = out.withUnsafeMutableBufferPointer { outBuf -> Bool in
            stream.next_out = outBuf.baseAddress
            stream.avail_out = uInt(outBuf.count)
            for (n, chunk) in chunks.enumerated() {
                let last = n == chunks.count - 1
                let status = chunk.withUnsafeBytes { (inBuf: UnsafeRawBufferPointer) -> Int32 in
                    stream.next_in = UnsafeMutablePointer(mutating: inBuf.bindMemory(to: Bytef.self).baseAddress)
                    stream.avail_in = uInt(inBuf.count)
                    return deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
                }
                if last ? status != Z_STREAM_END : status != Z_OK && status != Z_BUF_ERROR { return false }
            }
            if chunks.isEmpty { return deflate(&stream, Z_FINISH) == Z_STREAM_END }
            return true
        }
        guard ok else { return nil }
        return Data(out[0..<Int(stream.total_out)])
    }
}
