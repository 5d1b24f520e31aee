#include "npujar/runtime/tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>

namespace npujar::runtime {
namespace {

constexpr size_t kBufferAlignment = 64;

struct DTypeEntry {
  npujar_dtype dtype;
  const char* name;
  size_t size;
};

constexpr DTypeEntry kDTypes[] = {
    {NPUJAR_DTYPE_F32, "f32", 4}, {NPUJAR_DTYPE_F16, "f16", 2}, {NPUJAR_DTYPE_BF16, "bf16", 2},
    {NPUJAR_DTYPE_I64, "i64", 8}, {NPUJAR_DTYPE_I32, "i32", 4}, {NPUJAR_DTYPE_I8, "i8", 1},
    {NPUJAR_DTYPE_U8, "u8", 1},   {NPUJAR_DTYPE_BOOL, "bool", 1},
};

const DTypeEntry* find_dtype(npujar_dtype dtype) {
  for (const DTypeEntry& entry : kDTypes) {
    if (entry.dtype == dtype) {
      return &entry;
    }
  }
  return nullptr;
}

}  // namespace

size_t dtype_size(npujar_dtype dtype) {
  const DTypeEntry* entry = find_dtype(dtype);
  return entry != nullptr ? entry->size : 0;
}

const char* dtype_name(npujar_dtype dtype) {
  const DTypeEntry* entry = find_dtype(dtype);
  return entry != nullptr ? entry->name : "invalid";
}

std::optional<npujar_dtype> dtype_from_name(const std::string& name) {
  for (const DTypeEntry& entry : kDTypes) {
    if (name == entry.name) {
      return entry.dtype;
    }
  }
  return std::nullopt;
}

std::string dims_to_string(const std::vector<int64_t>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) {
      text += ',';
    }
    text += std::to_string(dims[i]);
  }
  return text + "]";
}

void AlignedFree::operator()(void* pointer) const { std::free(pointer); }

AlignedBuffer allocate_aligned(size_t bytes, bool zero_fill) {
  // aligned_alloc wants a multiple of the alignment, and a non-null result
  // even for an empty tensor keeps callers free of special cases.
  size_t rounded = (bytes + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
  if (rounded == 0) {
    rounded = kBufferAlignment;
  }
  if (rounded < bytes) {
    return nullptr;
  }
  void* pointer = std::aligned_alloc(kBufferAlignment, rounded);
  if (pointer != nullptr && zero_fill) {
    std::memset(pointer, 0, rounded);
  }
  return AlignedBuffer(static_cast<uint8_t*>(pointer));
}

Result<size_t> tensor_byte_size(npujar_dtype dtype, const std::vector<int64_t>& dims,
                                const std::string& what) {
  size_t element_size = dtype_size(dtype);
  if (element_size == 0) {
    return invalid_argument(what + ": dtype " + std::to_string(static_cast<int>(dtype)) +
                            " is not an npujar_dtype value");
  }
  size_t bytes = element_size;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0) {
      return invalid_argument(what + ": dimension " + std::to_string(i) + " is " +
                              std::to_string(dims[i]) + "; extents must be >= 0");
    }
    if (dims[i] != 0 && bytes > std::numeric_limits<size_t>::max() / static_cast<size_t>(dims[i])) {
      return invalid_argument(what + ": shape " + dims_to_string(dims) +
                              " is too large to address");
    }
    bytes *= static_cast<size_t>(dims[i]);
  }
  return bytes;
}

Result<std::unique_ptr<Tensor>> Tensor::create(npujar_dtype dtype, std::vector<int64_t> dims) {
  Result<size_t> bytes = tensor_byte_size(dtype, dims, "tensor");
  if (!bytes) {
    return bytes.status();
  }
  std::unique_ptr<Tensor> tensor(new Tensor());
  tensor->owned_ = allocate_aligned(*bytes, true);
  if (tensor->owned_ == nullptr) {
    return Status(NPUJAR_ERROR_OUT_OF_MEMORY,
                  "allocating " + std::to_string(*bytes) + " bytes for a tensor failed");
  }
  tensor->dtype_ = dtype;
  tensor->dims_ = std::move(dims);
  tensor->data_ = tensor->owned_.get();
  tensor->byte_size_ = *bytes;
  return tensor;
}

Result<std::unique_ptr<Tensor>> Tensor::wrap(npujar_dtype dtype, std::vector<int64_t> dims,
                                             void* data, size_t size) {
  Result<size_t> bytes = tensor_byte_size(dtype, dims, "tensor");
  if (!bytes) {
    return bytes.status();
  }
  if (data == nullptr && *bytes > 0) {
    return invalid_argument("tensor: data is NULL for a shape of " + std::to_string(*bytes) +
                            " bytes");
  }
  if (size < *bytes) {
    return invalid_argument("tensor: buffer holds " + std::to_string(size) + " bytes but " +
                            dtype_name(dtype) + " shape " + dims_to_string(dims) + " needs " +
                            std::to_string(*bytes));
  }
  std::unique_ptr<Tensor> tensor(new Tensor());
  tensor->dtype_ = dtype;
  tensor->dims_ = std::move(dims);
  tensor->data_ = data;
  tensor->byte_size_ = *bytes;
  return tensor;
}

}  // namespace npujar::runtime
