// NumPy .npy reading and writing. The header is a Python dict literal; this
// parser accepts what numpy.save writes (keys 'descr', 'fortran_order' and
// 'shape' in any order) and rejects anything else with a message naming
// the field.
#include <cstring>
#include <fstream>
#include <iterator>

#include "npujar/ir/error.h"
#include "npujar/ir/host_tensor.h"

namespace npujar::ir {

namespace {

const char kNpyMagic[] = "\x93NUMPY";

struct NpyType {
  const char* descr;
  DType dtype;
};

// '<f8' is converted to f32 on reading and never written.
const NpyType kNpyTypes[] = {
    {"f4", DType::kF32}, {"f2", DType::kF16}, {"i8", DType::kI64}, {"i4", DType::kI32},
    {"i1", DType::kI8},  {"u1", DType::kU8},  {"b1", DType::kBool},
};

[[noreturn]] void fail(const std::string& name, const std::string& message) {
  throw IrError(name + ": invalid .npy file: " + message);
}

// The text after `'key':` up to the value's end, with spaces trimmed.
std::string header_field(const std::string& header, const std::string& key, const std::string& name) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) fail(name, "header has no '" + key + "' field");
  size_t colon = header.find(':', at);
  if (colon == std::string::npos) fail(name, "header field '" + key + "' has no value");
  size_t begin = header.find_first_not_of(' ', colon + 1);
  if (begin == std::string::npos) fail(name, "header field '" + key + "' has no value");
  size_t end;
  if (header[begin] == '(') {
    end = header.find(')', begin);
    if (end == std::string::npos) fail(name, "shape tuple is not closed");
    return header.substr(begin, end - begin + 1);
  }
  end = header.find_first_of(",}", begin);
  if (end == std::string::npos) fail(name, "header field '" + key + "' is not terminated");
  std::string value = header.substr(begin, end - begin);
  while (!value.empty() && value.back() == ' ') value.pop_back();
  return value;
}

std::vector<int64_t> parse_shape(const std::string& tuple, const std::string& name) {
  std::vector<int64_t> shape;
  size_t i = 1;  // after '('
  while (i < tuple.size() - 1) {
    while (i < tuple.size() && (tuple[i] == ' ' || tuple[i] == ',')) ++i;
    if (i >= tuple.size() - 1) break;
    size_t start = i;
    while (i < tuple.size() && tuple[i] >= '0' && tuple[i] <= '9') ++i;
    if (i == start || i - start > 15) fail(name, "invalid shape " + tuple);
    int64_t extent = std::stoll(tuple.substr(start, i - start));
    shape.push_back(extent);
    if (shape.size() > 32) fail(name, "shape " + tuple + " has more than 32 dims");
  }
  return shape;
}

}  // namespace

HostTensor parse_npy(const std::vector<uint8_t>& bytes, const std::string& name) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kNpyMagic, 6) != 0) fail(name, "missing magic");
  uint8_t major = bytes[6];
  size_t header_length;
  size_t header_start;
  if (major == 1) {
    header_length = bytes[8] | (static_cast<size_t>(bytes[9]) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(name, "truncated header");
    header_length = bytes[8] | (static_cast<size_t>(bytes[9]) << 8) |
                    (static_cast<size_t>(bytes[10]) << 16) | (static_cast<size_t>(bytes[11]) << 24);
    header_start = 12;
  } else {
    fail(name, "unsupported format version " + std::to_string(major));
  }
  if (header_length > bytes.size() - header_start) fail(name, "truncated header");
  std::string header(bytes.begin() + header_start, bytes.begin() + header_start + header_length);

  std::string descr = header_field(header, "descr", name);
  if (header_field(header, "fortran_order", name) != "False") fail(name, "Fortran order is not supported");
  std::vector<int64_t> shape = parse_shape(header_field(header, "shape", name), name);

  if (descr.size() != 5 || descr.front() != '\'' || descr.back() != '\'') fail(name, "invalid descr " + descr);
  char order = descr[1];
  std::string code = descr.substr(2, 2);
  if (order == '>') fail(name, "big-endian data (" + descr + ") is not supported; save little-endian");
  bool f64 = code == "f8";
  const NpyType* type = nullptr;
  for (const NpyType& candidate : kNpyTypes) {
    if (code == candidate.descr) type = &candidate;
  }
  if (!type && !f64) fail(name, "dtype " + descr + " is not supported; use f4, f8, f2, i8, i4, i1, u1 or b1");

  // The payload size is checked before allocating, so a header with a huge
  // shape cannot request more memory than the file has bytes.
  DType dtype = f64 ? DType::kF32 : type->dtype;
  uint64_t payload = f64 ? 8 : dtype_size(dtype);
  for (int64_t extent : shape) {
    if (__builtin_mul_overflow(payload, static_cast<uint64_t>(extent), &payload)) fail(name, "shape is too large");
  }
  size_t data_start = header_start + header_length;
  if (bytes.size() - data_start != payload) {
    fail(name, "data has " + std::to_string(bytes.size() - data_start) + " bytes, expected " +
                   std::to_string(payload));
  }
  HostTensor tensor = HostTensor::zeros(dtype, shape);
  if (!f64) {
    std::memcpy(tensor.data.data(), bytes.data() + data_start, payload);
    return tensor;
  }
  for (int64_t i = 0; i < tensor.numel(); ++i) {
    double value;
    std::memcpy(&value, bytes.data() + data_start + i * 8, 8);
    float narrowed = static_cast<float>(value);
    std::memcpy(tensor.data.data() + i * 4, &narrowed, 4);
  }
  return tensor;
}

std::vector<uint8_t> encode_npy(const HostTensor& tensor) {
  const char* code = nullptr;
  for (const NpyType& candidate : kNpyTypes) {
    if (candidate.dtype == tensor.dtype) code = candidate.descr;
  }
  if (!code) throw IrError(std::string("cannot write dtype ") + dtype_name(tensor.dtype) + " to .npy");
  char order = dtype_size(tensor.dtype) == 1 ? '|' : '<';

  // Python tuple syntax: "()", "(3,)", "(2, 3)".
  std::string shape = "(";
  for (size_t i = 0; i < tensor.shape.size(); ++i) {
    if (i) shape += ", ";
    shape += std::to_string(tensor.shape[i]);
  }
  shape += tensor.shape.size() == 1 ? ",)" : ")";

  std::string header = std::string("{'descr': '") + order + code +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // numpy pads the header with spaces so that the data starts 64-byte aligned.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');

  std::vector<uint8_t> bytes(kNpyMagic, kNpyMagic + 6);
  bytes.push_back(1);
  bytes.push_back(0);
  bytes.push_back(static_cast<uint8_t>(header.size() & 0xFF));
  bytes.push_back(static_cast<uint8_t>(header.size() >> 8));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), tensor.data.begin(), tensor.data.end());
  return bytes;
}

HostTensor read_npy(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw IrError(path + ": cannot open .npy file for reading");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return parse_npy(bytes, path);
}

void write_npy(const std::string& path, const HostTensor& tensor) {
  std::vector<uint8_t> bytes = encode_npy(tensor);
  std::ofstream file(path, std::ios::binary);
  if (!file) throw IrError(path + ": cannot open .npy file for writing");
  file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!file) throw IrError(path + ": write failed");
}

}  // namespace npujar::ir
