// A tensor handed across the C API: dtype, extents and a row-major
// contiguous buffer that the tensor owns or borrows from the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "npujar/runtime/status.h"
#include "npujar_runtime.h"

namespace npujar::runtime {

// Bytes per element; 0 for a value outside npujar_dtype.
size_t dtype_size(npujar_dtype dtype);
// Manifest spelling: "f32", "f16", "bf16", "i64", "i32", "i8", "u8", "bool".
const char* dtype_name(npujar_dtype dtype);
std::optional<npujar_dtype> dtype_from_name(const std::string& name);

// "[1,3,224,224]".
std::string dims_to_string(const std::vector<int64_t>& dims);

// Memory aligned to 64 bytes, as the model ABI requires for buffers.
struct AlignedFree {
  void operator()(void* pointer) const;
};
using AlignedBuffer = std::unique_ptr<uint8_t, AlignedFree>;
// Returns nullptr when the allocation fails. `bytes` may be 0.
AlignedBuffer allocate_aligned(size_t bytes, bool zero_fill);

class Tensor {
 public:
  // Validates the dtype and extents and allocates a zero-filled buffer.
  static Result<std::unique_ptr<Tensor>> create(npujar_dtype dtype, std::vector<int64_t> dims);
  // Borrows `data`, which must hold at least numel * dtype size bytes.
  static Result<std::unique_ptr<Tensor>> wrap(npujar_dtype dtype, std::vector<int64_t> dims,
                                              void* data, size_t size);

  npujar_dtype dtype() const { return dtype_; }
  const std::vector<int64_t>& dims() const { return dims_; }
  void* data() { return data_; }
  const void* data() const { return data_; }
  size_t byte_size() const { return byte_size_; }

 private:
  Tensor() = default;

  npujar_dtype dtype_ = NPUJAR_DTYPE_F32;
  std::vector<int64_t> dims_;
  void* data_ = nullptr;
  size_t byte_size_ = 0;
  AlignedBuffer owned_;
};

// Computes numel * dtype size, rejecting a bad dtype, negative extents and
// overflow with an error naming `what`.
Result<size_t> tensor_byte_size(npujar_dtype dtype, const std::vector<int64_t>& dims,
                                const std::string& what);

}  // namespace npujar::runtime
