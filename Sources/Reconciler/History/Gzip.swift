import CZlib
import Foundation

/// gzip for run records too large to keep as plain JSON in a ConfigMap (zlib, the system
/// library: no extra package, no SwiftNIO).
enum Gzip {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func compress(_ data: Data, level: Int32 = 6) throws -> Data {
        var stream = z_stream()
        guard kr_deflate_init_gzip(&stream, level) == Z_OK else { throw Failure(description: "gzip: deflateInit failed") }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))) + 32)
        let status = data.withUnsafeBytes { (input: UnsafeRawBufferPointer) -> Int32 in
            out.withUnsafeMutableBufferPointer { output in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = output.baseAddress
                stream.avail_out = uInt(output.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(description: "gzip: deflate failed (\(status))") }
        return Data(out[0..<Int(stream.total_out)])
    }

    /// Refuses output over `limit` bytes: a record is never larger than a ConfigMap holds,
    /// so anything bigger is not one of ours.
    static func decompress(_ data: Data, limit: Int = 64 << 20) throws -> Data {
        var stream = z_stream()
        guard kr_inflate_init_gzip(&stream) == Z_OK else { throw Failure(description: "gzip: inflateInit failed") }
        defer { inflateEnd(&stream) }
        var result = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            while status != Z_STREAM_END {
                let produced = chunk.withUnsafeMutableBufferPointer { output -> Int in
                    stream.next_out = output.baseAddress
                    stream.avail_out = uInt(output.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return output.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else { throw Failure(description: "gzip: not valid gzip data (\(status))") }
                result.append(contentsOf: chunk[0..<produced])
                guard result.count <= limit else { throw Failure(description: "gzip: more than \(limit) bytes uncompressed") }
                if produced == 0 && stream.avail_in == 0 && status != Z_STREAM_END { throw Failure(description: "gzip: truncated data") }
            }
        }
        return result
    }
}
