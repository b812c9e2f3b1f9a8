import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

/// Owner of an in-memory BIO (BIO_new(BIO_s_mem()) or BIO_new_mem_buf), freed with BIO_free.
package final class MemoryBIO {
    /// The BIO handle; valid for the lifetime of this object.
    package let pointer: OpaquePointer
    // BIO_new_mem_buf reads the caller's bytes in place, so the input must outlive the BIO.
    private let input: UnsafeMutableRawBufferPointer?

    /// An empty writable BIO; throws `encodeFailed` when allocation fails (BIO_new, BIO_s_mem).
    package init() throws {
        pointer = try OpenSSLError.check(BIO_new(BIO_s_mem()), .encodeFailed, "allocate memory BIO")
        input = nil
    }

    /// A read-only BIO over a copy of `data`; throws `decodeFailed` when allocation fails (BIO_new_mem_buf).
    package init(reading data: Data) throws {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 1)
        _ = data.copyBytes(to: copy.bindMemory(to: UInt8.self))
        guard let bio = BIO_new_mem_buf(copy.baseAddress, Int32(data.count)) else {
            copy.deallocate()
            throw OpenSSLError.fromQueue(.decodeFailed, "allocate memory BIO")
        }
        pointer = bio
        input = copy
    }

    deinit {
        BIO_free(pointer)
        input?.deallocate()
    }

    /// Everything written so far (BIO_get_mem_data).
    package func contents() -> Data {
        var base: UnsafeMutablePointer<CChar>?
        let length = copenssl_BIO_get_mem_data(pointer, &base)
        guard let base, length > 0 else { return Data() }
        return Data(bytes: base, count: length)
    }
}
