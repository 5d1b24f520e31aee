// Manifest value types and the checks shared by parsing and emitting.
#include "npujar/format/manifest.h"

#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>

namespace npujar::format {
namespace {

bool is_identifier(const std::string& text) {
  if (text.empty() || text.size() > 64) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

// Parses a non-negative decimal integer of at most 18 digits, which always
// fits in int64_t.
std::optional<int64_t> parse_extent(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

[[noreturn]] void fail(FormatErrorCode code, const std::string& message) {
  throw FormatError(code, "manifest: " + message);
}

// Names and values end up in terminals and logs, so control characters are
// rejected rather than escaped.
void check_text(const std::string& text, const std::string& where, FormatErrorCode code) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      fail(code, where + " contains control character " + std::to_string(c) + " at byte " +
                     std::to_string(i));
    }
  }
}

void check_texts(const std::vector<std::string>& texts, const std::string& where,
                 FormatErrorCode code) {
  for (size_t i = 0; i < texts.size(); ++i) {
    check_text(texts[i], where + "[" + std::to_string(i) + "]", code);
  }
}

void check_variant_texts(const Variant& variant, const std::string& where, FormatErrorCode code) {
  check_text(variant.name, where + ".name", code);
  check_text(variant.kind, where + ".kind", code);
  check_text(variant.format, where + ".format", code);
  check_text(variant.arch, where + ".arch", code);
  check_texts(variant.cpu_features, where + ".cpu_features", code);
  check_texts(variant.sections, where + ".sections", code);
  check_text(variant.compiler, where + ".compiler", code);
  if (variant.device) check_text(variant.device->platform, where + ".device.platform", code);
  for (const auto& [key, value] : variant.properties) {
    check_text(key, where + ".properties key", code);
    check_text(value, where + ".properties." + key, code);
  }
}

void validate_tensors(const std::vector<TensorSpec>& tensors, const char* list_name,
                      const std::set<std::string>& symbols, FormatErrorCode code) {
  std::set<std::string> names;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorSpec& tensor = tensors[i];
    std::string where = std::string(list_name) + "[" + std::to_string(i) + "]";
    check_text(tensor.name, where + ".name", code);
    if (tensor.name.empty()) fail(code, where + ".name is empty; give every tensor a name");
    if (!names.insert(tensor.name).second) {
      fail(code, where + ".name '" + tensor.name + "' is used by an earlier " + list_name +
                     " entry; tensor names must be unique");
    }
    if (!is_valid_dtype_name(tensor.dtype)) {
      fail(code, where + ".dtype '" + tensor.dtype +
                     "' is not one of f32, f16, bf16, i64, i32, i8, u8, bool");
    }
    for (size_t d = 0; d < tensor.shape.size(); ++d) {
      const Dimension& dim = tensor.shape[d];
      std::string dim_where = where + ".shape[" + std::to_string(d) + "]";
      if (dim.is_static() && dim.coefficient < 0) {
        fail(code, dim_where + " is negative (" + std::to_string(dim.coefficient) + ")");
      }
      if (!dim.is_static() && dim.coefficient < 1) {
        fail(code, dim_where + " has coefficient " + std::to_string(dim.coefficient) +
                       "; a symbolic dimension needs a coefficient of at least 1");
      }
      if (!dim.is_static() && symbols.count(dim.symbol) == 0) {
        fail(code, dim_where + " uses symbol '" + dim.symbol +
                       "' that is not listed in 'symbols'; add it there");
      }
    }
  }
}

void validate_variants(const std::vector<Variant>& variants, FormatErrorCode code) {
  std::set<std::string> names;
  for (size_t i = 0; i < variants.size(); ++i) {
    const Variant& variant = variants[i];
    std::string where = "variants[" + std::to_string(i) + "]";
    check_variant_texts(variant, where, code);
    if (variant.name.empty()) fail(code, where + ".name is empty");
    if (!names.insert(variant.name).second) {
      fail(code, where + ".name '" + variant.name + "' is used by an earlier variant");
    }
    if (variant.kind.empty()) fail(code, where + ".kind is empty; use cpu, npu or gpu");
    if (variant.format.empty()) {
      fail(code, where + ".format is empty; use object, bitcode, openvino-ir or npu-blob");
    }
    if (variant.sections.empty()) {
      fail(code, where + ".sections is empty; a variant needs at least one section");
    }
    if (variant.abi_version < 1) {
      fail(code, where + ".abi_version is " + std::to_string(variant.abi_version) +
                     "; it must be at least 1");
    }
  }
}

bool is_lower_hex(const std::string& text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::optional<size_t> find_invalid_utf8(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t minimum = 0;
    uint32_t code_point = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xe0) == 0xc0) {
      length = 2;
      minimum = 0x80;
      code_point = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      minimum = 0x800;
      code_point = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      minimum = 0x10000;
      code_point = lead & 0x07;
    } else {
      return i;
    }
    if (text.size() - i < length) return i;
    for (size_t k = 1; k < length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return i;
      code_point = (code_point << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF.
    if (code_point < minimum || (code_point >= 0xd800 && code_point <= 0xdfff) ||
        code_point > 0x10ffff) {
      return i;
    }
    i += length;
  }
  return std::nullopt;
}

std::string Dimension::to_string() const {
  if (is_static()) return std::to_string(coefficient);
  if (coefficient == 1) return symbol;
  return std::to_string(coefficient) + "*" + symbol;
}

std::optional<Dimension> parse_dimension(const std::string& text) {
  size_t star = text.find('*');
  if (star == std::string::npos) {
    if (auto extent = parse_extent(text)) return Dimension::fixed(*extent);
    if (is_identifier(text)) return Dimension::symbolic(text);
    return std::nullopt;
  }
  std::optional<int64_t> coefficient = parse_extent(text.substr(0, star));
  std::string symbol = text.substr(star + 1);
  if (!coefficient || *coefficient < 1 || !is_identifier(symbol)) return std::nullopt;
  return Dimension::symbolic(symbol, *coefficient);
}

bool is_valid_dtype_name(const std::string& name) {
  static const std::set<std::string> kNames = {"f32", "f16", "bf16", "i64",
                                                "i32", "i8",  "u8",   "bool"};
  return kNames.count(name) != 0;
}

bool TensorSpec::operator==(const TensorSpec& other) const {
  return name == other.name && dtype == other.dtype && shape == other.shape;
}

std::optional<uint64_t> ArenaSpec::bytes_for(
    const std::map<std::string, int64_t>& symbol_values) const {
  uint64_t total = base_bytes;
  for (const auto& [symbol, bytes] : per_symbol_bytes) {
    auto value = symbol_values.find(symbol);
    if (value == symbol_values.end() || value->second < 0) return std::nullopt;
    uint64_t term = 0;
    uint64_t count = static_cast<uint64_t>(value->second);
    if (__builtin_mul_overflow(bytes, count, &term)) return std::nullopt;
    if (__builtin_add_overflow(total, term, &total)) return std::nullopt;
  }
  return total;
}

bool DeviceRequirement::operator==(const DeviceRequirement& other) const {
  return vendor_id == other.vendor_id && device_id == other.device_id &&
         platform == other.platform;
}

bool Variant::operator==(const Variant& other) const {
  return name == other.name && kind == other.kind && format == other.format &&
         arch == other.arch && cpu_features == other.cpu_features && device == other.device &&
         sections == other.sections && compiler == other.compiler &&
         abi_version == other.abi_version && properties == other.properties;
}

const Variant* Manifest::find_variant(const std::string& name) const {
  for (const Variant& variant : variants) {
    if (variant.name == name) return &variant;
  }
  return nullptr;
}

bool Manifest::operator==(const Manifest& other) const {
  return format_major == other.format_major && format_minor == other.format_minor &&
         producer.name == other.producer.name && producer.version == other.producer.version &&
         model.name == other.model.name && model.content_hash == other.model.content_hash &&
         inputs == other.inputs && outputs == other.outputs && symbols == other.symbols &&
         graph_section == other.graph_section && weights_section == other.weights_section &&
         arena.base_bytes == other.arena.base_bytes &&
         arena.per_symbol_bytes == other.arena.per_symbol_bytes && variants == other.variants &&
         unknown_keys == other.unknown_keys;
}

void validate_manifest(const Manifest& manifest, FormatErrorCode code) {
  if (manifest.format_major != 1) {
    throw FormatError(FormatErrorCode::kUnsupportedVersion,
                      "manifest: format_version " + std::to_string(manifest.format_major) + "." +
                          std::to_string(manifest.format_minor) +
                          " has another major version than this reader's 1; use a newer npujar");
  }
  check_text(manifest.producer.name, "producer.name", code);
  check_text(manifest.producer.version, "producer.version", code);
  check_text(manifest.model.name, "model.name", code);
  check_text(manifest.graph_section, "graph_section", code);
  check_text(manifest.weights_section, "weights_section", code);
  for (const auto& [key, value] : manifest.unknown_keys) check_text(key, "top-level key", code);
  if (manifest.producer.name.empty()) fail(code, "producer.name is empty");
  if (manifest.model.name.empty()) fail(code, "model.name is empty");
  const std::string& hash = manifest.model.content_hash;
  if (!hash.empty() && (hash.size() != 32 || !is_lower_hex(hash))) {
    fail(code, "model.content_hash '" + hash +
                   "' is not 32 lowercase hexadecimal digits (XXH3-128)");
  }

  std::set<std::string> symbols;
  for (size_t i = 0; i < manifest.symbols.size(); ++i) {
    const std::string& symbol = manifest.symbols[i];
    std::string where = "symbols[" + std::to_string(i) + "]";
    if (!is_identifier(symbol)) {
      fail(code, where + " '" + symbol +
                     "' is not an identifier (letters, digits, '_', at most 64 bytes)");
    }
    if (!symbols.insert(symbol).second) fail(code, where + " '" + symbol + "' is listed twice");
  }

  validate_tensors(manifest.inputs, "inputs", symbols, code);
  validate_tensors(manifest.outputs, "outputs", symbols, code);
  if (manifest.graph_section.empty()) fail(code, "graph_section is empty");
  for (const auto& [symbol, bytes] : manifest.arena.per_symbol_bytes) {
    if (symbols.count(symbol) == 0) {
      fail(code, "arena.per_symbol_bytes uses symbol '" + symbol +
                     "' that is not listed in 'symbols'");
    }
  }
  validate_variants(manifest.variants, code);
}

std::string compute_content_hash(const void* graph, size_t graph_size, const void* weights,
                                 size_t weights_size) {
  XXH3_state_t* state = XXH3_createState();
  if (state == nullptr) throw std::bad_alloc();
  XXH3_128bits_reset(state);
  XXH3_128bits_update(state, graph, graph_size);
  XXH3_128bits_update(state, weights, weights_size);
  XXH128_hash_t hash = XXH3_128bits_digest(state);
  XXH3_freeState(state);

  char text[33];
  std::snprintf(text, sizeof(text), "%016llx%016llx", static_cast<unsigned long long>(hash.high64),
                static_cast<unsigned long long>(hash.low64));
  return text;
}

}  // namespace npujar::format
