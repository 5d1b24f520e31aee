#include "serialized_ir.h"

#include <cstring>

namespace npujar::runtime::npu {
namespace {

template <typename T>
void append(std::vector<uint8_t>& out, T value) {
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(&value);
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

template <typename T>
bool read(const uint8_t* data, size_t size, size_t& offset, T* value) {
  if (offset > size || size - offset < sizeof(T)) return false;
  std::memcpy(value, data + offset, sizeof(T));
  offset += sizeof(T);
  return true;
}

const char* precision_name(const std::string& dtype) {
  if (dtype == "f32") return "FP32";
  if (dtype == "f16") return "FP16";
  if (dtype == "bf16") return "BF16";
  if (dtype == "i64") return "I64";
  if (dtype == "i32") return "I32";
  if (dtype == "i8") return "I8";
  if (dtype == "u8") return "U8";
  if (dtype == "bool") return "BOOL";
  return "FP32";
}

// The plugin's rank-to-layout names; a layout only states the order of a
// plain row-major tensor.
const char* layout_name(size_t rank) {
  switch (rank) {
    case 0: return "SCALAR";
    case 1: return "C";
    case 2: return "NC";
    case 3: return "CHW";
    case 4: return "NCHW";
    case 5: return "NCDHW";
    default: return "BLOCKED";
  }
}

std::string describe(const std::vector<format::TensorSpec>& tensors, bool precisions) {
  std::string text;
  for (const format::TensorSpec& tensor : tensors) {
    text += (text.empty() ? "" : " ") + tensor.name + ":" +
            (precisions ? precision_name(tensor.dtype) : layout_name(tensor.shape.size()));
  }
  return text;
}

}  // namespace

std::vector<uint8_t> serialize_ir(const ze_graph::CompilerVersion& compiler, const uint8_t* xml,
                                  size_t xml_size, const uint8_t* weights, size_t weights_size) {
  std::vector<uint8_t> out;
  out.reserve(sizeof(compiler) + sizeof(uint32_t) + 2 * sizeof(uint64_t) + xml_size + weights_size);
  append(out, compiler.major);
  append(out, compiler.minor);
  append(out, static_cast<uint32_t>(2));
  append(out, static_cast<uint64_t>(xml_size));
  out.insert(out.end(), xml, xml + xml_size);
  append(out, static_cast<uint64_t>(weights_size));
  if (weights_size > 0) out.insert(out.end(), weights, weights + weights_size);
  return out;
}

std::string build_flags(const format::Manifest& manifest) {
  return "--inputs_precisions=\"" + describe(manifest.inputs, true) + "\" --inputs_layouts=\"" +
         describe(manifest.inputs, false) + "\" --outputs_precisions=\"" +
         describe(manifest.outputs, true) + "\" --outputs_layouts=\"" +
         describe(manifest.outputs, false) + "\" --config PERFORMANCE_HINT=\"LATENCY\"";
}

bool parse_serialized_ir(const uint8_t* data, size_t size, ze_graph::CompilerVersion* compiler,
                         std::string* xml, std::vector<uint8_t>* weights) {
  size_t offset = 0;
  uint32_t count = 0;
  uint64_t xml_size = 0;
  uint64_t weights_size = 0;
  if (!read(data, size, offset, &compiler->major) || !read(data, size, offset, &compiler->minor) ||
      !read(data, size, offset, &count) || count != 2 || !read(data, size, offset, &xml_size) ||
      xml_size > size - offset) {
    return false;
  }
  xml->assign(reinterpret_cast<const char*>(data + offset), xml_size);
  offset += xml_size;
  if (!read(data, size, offset, &weights_size) || weights_size != size - offset) {
    return false;
  }
  weights->assign(data + offset, data + size);
  return true;
}

}  // namespace npujar::runtime::npu
