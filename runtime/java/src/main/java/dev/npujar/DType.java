package dev.npujar;

/**
 * Element types of tensors, one per {@code npujar_dtype} of the C API.
 *
 * <p>F16 and BF16 have no Java primitive: create such tensors from raw bytes with {@link
 * Tensor#of(DType, byte[], long...)} or a direct buffer, and read them back with {@link
 * Tensor#toByteArray()}.
 */
public enum DType {
  /** 32-bit IEEE 754 float. */
  F32(1, 4, "f32"),
  /** 16-bit IEEE 754 half float. */
  F16(2, 2, "f16"),
  /** 16-bit bfloat16. */
  BF16(3, 2, "bf16"),
  /** 64-bit signed integer; PyTorch's {@code long}. */
  I64(4, 8, "i64"),
  /** 32-bit signed integer. */
  I32(5, 4, "i32"),
  /** 8-bit signed integer. */
  I8(6, 1, "i8"),
  /** 8-bit unsigned integer. */
  U8(7, 1, "u8"),
  /** Boolean stored as one byte, 0 or 1. */
  BOOL(8, 1, "bool");

  private final int nativeCode;
  private final int byteSize;
  private final String shortName;

  DType(int nativeCode, int byteSize, String shortName) {
    this.nativeCode = nativeCode;
    this.byteSize = byteSize;
    this.shortName = shortName;
  }

  /**
   * Returns the size of one element.
   *
   * @return the element size in bytes
   */
  public int byteSize() {
    return byteSize;
  }

  /**
   * Returns the short name used in shapes and messages, e.g. {@code f32}.
   *
   * @return the short name
   */
  public String shortName() {
    return shortName;
  }

  /**
   * Returns the value of the matching {@code npujar_dtype}.
   *
   * @return the native dtype code
   */
  public int nativeCode() {
    return nativeCode;
  }

  /**
   * Returns the constant for a native dtype code.
   *
   * @param nativeCode a value of {@code npujar_dtype}
   * @return the matching constant
   * @throws InternalErrorException if the code is unknown to this version
   */
  public static DType fromNative(int nativeCode) {
    for (DType dtype : values()) {
      if (dtype.nativeCode == nativeCode) {
        return dtype;
      }
    }
    throw new InternalErrorException(
        "unknown native dtype code "
            + nativeCode
            + "; update the npujar Java API to match the runtime");
  }
}
