// The manifest: the YAML document in an archive's "manifest" section that
// describes the model, its inputs and outputs, and every compiled variant.
// docs/format.md lists each key. Parsing keeps top-level keys it does not
// know, and emitting writes them back, so a tool that reads and rewrites a
// manifest from a newer producer loses nothing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "npujar/format/error.h"

namespace npujar::format {

// One dimension: `coefficient * symbol` when `symbol` is not empty,
// otherwise the static extent `coefficient`. Written in YAML as an integer
// (224), a symbol (N) or a product (12*N), the same forms as ir::Dim.
struct Dimension {
  int64_t coefficient = 0;
  std::string symbol;

  static Dimension fixed(int64_t extent) { return Dimension{extent, {}}; }
  static Dimension symbolic(std::string name, int64_t coefficient = 1) {
    return Dimension{coefficient, std::move(name)};
  }
  bool is_static() const { return symbol.empty(); }
  // "224", "N" or "12*N".
  std::string to_string() const;
  bool operator==(const Dimension& other) const {
    return coefficient == other.coefficient && symbol == other.symbol;
  }
  bool operator!=(const Dimension& other) const { return !(*this == other); }
};

// Parses "224", "N" or "12*N"; returns nullopt for anything else.
std::optional<Dimension> parse_dimension(const std::string& text);

// The dtype names a manifest may use: f32, f16, bf16, i64, i32, i8, u8, bool.
bool is_valid_dtype_name(const std::string& name);

struct TensorSpec {
  std::string name;
  std::string dtype;  // one of the names is_valid_dtype_name accepts
  std::vector<Dimension> shape;

  bool operator==(const TensorSpec& other) const;
};

struct Producer {
  std::string name;     // e.g. "npujar"
  std::string version;  // e.g. "0.1.0"
};

struct ModelInfo {
  std::string name;
  // compute_content_hash of the raw graph and weights sections; empty when
  // the producer did not record one. verify() checks it when present.
  std::string content_hash;
};

// Activation arena size in bytes for given symbol values, computed as
//   base_bytes + sum over s of per_symbol_bytes[s] * value(s).
// Code generation writes it, and the runtime allocates the arena from it.
struct ArenaSpec {
  uint64_t base_bytes = 0;
  std::map<std::string, uint64_t> per_symbol_bytes;

  // Returns nullopt when a symbol of per_symbol_bytes has no value in
  // `symbol_values` or the size overflows 64 bits.
  std::optional<uint64_t> bytes_for(const std::map<std::string, int64_t>& symbol_values) const;
};

// Device requirement of a variant. Zero ids match any device.
struct DeviceRequirement {
  uint32_t vendor_id = 0;
  uint32_t device_id = 0;
  std::string platform;  // e.g. "level-zero", "openvino"

  bool operator==(const DeviceRequirement& other) const;
};

// One compiled form of the model. Known values of the string fields:
//   kind:   cpu | npu | gpu
//   format: object | bitcode | openvino-ir | npu-blob
//   arch:   x86_64 | aarch64 (empty for a device variant that needs no host code)
// Other values parse, so that an older runtime can read a newer archive; a
// runtime skips variants whose kind, format or arch it does not know.
struct Variant {
  std::string name;  // unique in the manifest, e.g. "cpu-x86-64-v3"
  std::string kind;
  std::string format;
  std::string arch;
  std::vector<std::string> cpu_features;  // e.g. avx2, fma; all must be present on the host
  std::optional<DeviceRequirement> device;
  std::vector<std::string> sections;      // names of archive sections this variant uses
  std::string compiler;                   // e.g. "LLVM 15.0.6"
  int64_t abi_version = 0;                // NPUJAR_MODEL_ABI_VERSION it was built for
  std::map<std::string, std::string> properties;

  bool operator==(const Variant& other) const;
};

struct Manifest {
  // The manifest's own version, written as "format_version: 1.0". It follows
  // the archive's version rule: the major must match, any minor is readable.
  uint16_t format_major = 1;
  uint16_t format_minor = 0;
  Producer producer;
  ModelInfo model;
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  std::vector<std::string> symbols;  // symbolic dimension names, in ABI order
  std::string graph_section;         // name of the graph section
  std::string weights_section;       // name of the weights section; may be empty
  ArenaSpec arena;
  std::vector<Variant> variants;
  // Top-level keys this version does not know: key and the value as YAML
  // text, in document order. emit_manifest writes them back unchanged.
  std::vector<std::pair<std::string, std::string>> unknown_keys;

  const Variant* find_variant(const std::string& name) const;
  bool operator==(const Manifest& other) const;
};

// Returns the byte offset of the first invalid UTF-8 sequence in `text`
// (overlong forms and surrogates included), or nullopt when it is valid.
std::optional<size_t> find_invalid_utf8(const std::string& text);

// Parses and validates the YAML text of a manifest, which must be UTF-8.
// Raises FormatError with kMalformedManifest, naming the key path such as
// "inputs[1].shape[0]", on a syntax error, a missing or mistyped key, a
// control character in a string or an unknown dtype. The same code covers
// a symbol used in a shape or the arena but missing from `symbols`, and a
// duplicate input, output or variant name. A format_version with another
// major raises kUnsupportedVersion.
Manifest parse_manifest(const std::string& yaml_text);

// Writes the manifest as YAML. Raises kInvalidArgument when the manifest
// would not pass parse_manifest's checks.
std::string emit_manifest(const Manifest& manifest);

// The checks parse_manifest applies after reading the YAML; raises
// FormatError with `error_code` and a message naming the field.
void validate_manifest(const Manifest& manifest, FormatErrorCode error_code);

// XXH3-128 of the graph section's raw bytes followed by the weights
// section's raw bytes, as 32 lowercase hexadecimal digits (high half first).
std::string compute_content_hash(const void* graph, size_t graph_size, const void* weights,
                                  size_t weights_size);

}  // namespace npujar::format
