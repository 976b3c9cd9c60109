/// Conversion of stored elements to float32.
///
/// F64 is rounded to the nearest float32, ties to even, overflow to infinity (`cvtpd2ps`, what numpy's
/// `astype(np.float32)` and torch's `.float()` do).
///
/// The package is compiled for x86-64-v3 (see Package.swift), so `Float(Float16)` becomes F16C's
/// `vcvtph2ps` and the loops below vectorise; sources may be unaligned (safetensors only aligns the
/// header to 8 bytes, and other writers promise nothing), so they are read with unaligned loads.
enum FloatDecoding {
    /// Converts `count` contiguous elements of `dtype` at `src` to float32 at `dst`.
    /// `dtype` must be readable as float (`DType.isReadableAsFloat`).
    static func convert(_ dtype: DType, from src: UnsafeRawPointer, to dst: UnsafeMutablePointer<Float>,
                        count: Int) {
        switch dtype {
        case .f32:
            UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
        case .f16:
            convertF16(from: src, to: dst, count: count)
        case .bf16:
            convertBF16(from: src, to: dst, count: count)
        case .f64:
            convertF64(from: src, to: dst, count: count)
        default:
            break
        }
    }

    static func convertF16(from src: UnsafeRawPointer, to dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        // Eight lanes at a time: one vcvtph2ps per group.
        while i + 8 <= count {
            let half = src.loadUnaligned(fromByteOffset: i * 2, as: SIMD8<Float16>.self)
            let wide = SIMD8<Float>(half)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: wide, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 2, as: Float16.self))
            i += 1
        }
    }

    static func convertBF16(from src: UnsafeRawPointer, to dst: UnsafeMutablePointer<Float>, count: Int) {
        // bfloat16 is the top half of a float32: widening is a 16-bit shift, exact for every value.
        var i = 0
        while i + 8 <= count {
            let raw = src.loadUnaligned(fromByteOffset: i * 2, as: SIMD8<UInt16>.self)
            let bits = SIMD8<UInt32>(truncatingIfNeeded: raw) &<< 16
            UnsafeMutableRawPointer(dst + i).storeBytes(of: bits, as: SIMD8<UInt32>.self)
            i += 8
        }
        while i < count {
            let raw = src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
            dst[i] = Float(bitPattern: UInt32(raw) << 16)
            i += 1
        }
    }

    static func convertF64(from src: UnsafeRawPointer, to dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let wide = src.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: SIMD8<Float>(wide), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 8, as: Double.self))
            i += 1
        }
    }

    /// Converts float32 values to IEEE half precision, rounding to nearest even (as `torch.half()` does).
    static func convertToF16(from src: UnsafePointer<Float>, to dst: UnsafeMutableRawPointer, count: Int) {
        var i = 0
        while i + 8 <= count {
            let wide = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
            let half = SIMD8<Float16>(wide)
            (dst + i * 2).storeBytes(of: half, as: SIMD8<Float16>.self)
            i += 8
        }
        while i < count {
            (dst + i * 2).storeBytes(of: Float16(src[i]), as: Float16.self)
            i += 1
        }
    }
}
