// YAML reading and writing of the manifest. Every lookup goes through a
// small cursor that carries the key path ("variants[2].sections[0]"), so a
// type error names the exact key. yaml-cpp's own exceptions are converted to
// FormatError at this boundary.
#include <yaml-cpp/yaml.h>

#include <set>

#include "npujar/format/manifest.h"

namespace npujar::format {
namespace {

[[noreturn]] void malformed(const std::string& message) {
  throw FormatError(FormatErrorCode::kMalformedManifest, "manifest: " + message);
}

class Cursor {
 public:
  Cursor(YAML::Node node, std::string path) : node_(std::move(node)), path_(std::move(path)) {}

  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  bool present(const char* key) const { return node_[key].IsDefined() && !node_[key].IsNull(); }

  Cursor child(const char* key) const {
    return Cursor(node_[key], path_.empty() ? key : path_ + "." + key);
  }
  Cursor element(size_t index) const {
    return Cursor(node_[index], path_ + "[" + std::to_string(index) + "]");
  }

  Cursor required(const char* key) const {
    if (!present(key)) malformed("key '" + child(key).path_ + "' is missing");
    return child(key);
  }

  void expect_map() const {
    if (!node_.IsMap()) malformed("'" + path_ + "' must be a mapping");
  }
  void expect_sequence() const {
    if (!node_.IsSequence()) malformed("'" + path_ + "' must be a list");
  }

  std::string string() const {
    if (!node_.IsScalar()) malformed("'" + path_ + "' must be a string");
    return node_.Scalar();
  }

  int64_t integer() const {
    if (!node_.IsScalar()) malformed("'" + path_ + "' must be an integer");
    try {
      return node_.as<int64_t>();
    } catch (const YAML::Exception&) {
      malformed("'" + path_ + "' value '" + node_.Scalar() + "' is not an integer");
    }
  }

  uint64_t unsigned_integer() const {
    int64_t value = integer();
    if (value < 0) {
      malformed("'" + path_ + "' value " + std::to_string(value) + " is negative");
    }
    return static_cast<uint64_t>(value);
  }

  std::vector<std::string> strings() const {
    expect_sequence();
    std::vector<std::string> values;
    for (size_t i = 0; i < node_.size(); ++i) values.push_back(element(i).string());
    return values;
  }

  std::string optional_string(const char* key) const {
    return present(key) ? child(key).string() : std::string();
  }

 private:
  YAML::Node node_;
  std::string path_;
};

void parse_format_version(const Cursor& cursor, Manifest& manifest) {
  std::string text = cursor.string();
  size_t dot = text.find('.');
  bool valid = dot != std::string::npos && dot > 0 && dot + 1 < text.size() && text.size() <= 11;
  for (size_t i = 0; valid && i < text.size(); ++i) {
    valid = i == dot || (text[i] >= '0' && text[i] <= '9');
  }
  if (!valid) malformed("format_version '" + text + "' is not of the form MAJOR.MINOR");

  unsigned long major = std::stoul(text.substr(0, dot));
  unsigned long minor = std::stoul(text.substr(dot + 1));
  if (major > 0xffff || minor > 0xffff) {
    malformed("format_version '" + text + "' has a part above 65535");
  }
  manifest.format_major = static_cast<uint16_t>(major);
  manifest.format_minor = static_cast<uint16_t>(minor);
}

std::vector<TensorSpec> parse_tensors(const Cursor& list) {
  list.expect_sequence();
  std::vector<TensorSpec> tensors;
  for (size_t i = 0; i < list.node().size(); ++i) {
    Cursor item = list.element(i);
    item.expect_map();
    TensorSpec tensor;
    tensor.name = item.required("name").string();
    tensor.dtype = item.required("dtype").string();
    Cursor shape = item.required("shape");
    shape.expect_sequence();
    for (size_t d = 0; d < shape.node().size(); ++d) {
      Cursor dim = shape.element(d);
      std::optional<Dimension> parsed = parse_dimension(dim.string());
      if (!parsed) {
        malformed("'" + dim.path() + "' value '" + dim.node().Scalar() +
                  "' is not an extent (224), a symbol (N) or a product (12*N)");
      }
      tensor.shape.push_back(*parsed);
    }
    tensors.push_back(std::move(tensor));
  }
  return tensors;
}

ArenaSpec parse_arena(const Cursor& cursor) {
  cursor.expect_map();
  ArenaSpec arena;
  if (cursor.present("base_bytes")) arena.base_bytes = cursor.child("base_bytes").unsigned_integer();
  if (cursor.present("per_symbol_bytes")) {
    Cursor per_symbol = cursor.child("per_symbol_bytes");
    per_symbol.expect_map();
    for (const auto& pair : per_symbol.node()) {
      std::string symbol = Cursor(pair.first, per_symbol.path()).string();
      arena.per_symbol_bytes[symbol] =
          Cursor(pair.second, per_symbol.path() + "." + symbol).unsigned_integer();
    }
  }
  return arena;
}

DeviceRequirement parse_device(const Cursor& cursor) {
  cursor.expect_map();
  DeviceRequirement device;
  if (cursor.present("vendor_id")) {
    uint64_t id = cursor.child("vendor_id").unsigned_integer();
    if (id > 0xffffffffu) malformed("'" + cursor.path() + ".vendor_id' exceeds 32 bits");
    device.vendor_id = static_cast<uint32_t>(id);
  }
  if (cursor.present("device_id")) {
    uint64_t id = cursor.child("device_id").unsigned_integer();
    if (id > 0xffffffffu) malformed("'" + cursor.path() + ".device_id' exceeds 32 bits");
    device.device_id = static_cast<uint32_t>(id);
  }
  device.platform = cursor.optional_string("platform");
  return device;
}

Variant parse_variant(const Cursor& item) {
  item.expect_map();
  Variant variant;
  variant.name = item.required("name").string();
  variant.kind = item.required("kind").string();
  variant.format = item.required("format").string();
  variant.arch = item.optional_string("arch");
  if (item.present("cpu_features")) variant.cpu_features = item.child("cpu_features").strings();
  if (item.present("device")) variant.device = parse_device(item.child("device"));
  variant.sections = item.required("sections").strings();
  variant.compiler = item.optional_string("compiler");
  variant.abi_version = item.required("abi_version").integer();
  if (item.present("properties")) {
    Cursor properties = item.child("properties");
    properties.expect_map();
    for (const auto& pair : properties.node()) {
      std::string key = Cursor(pair.first, properties.path()).string();
      variant.properties[key] = Cursor(pair.second, properties.path() + "." + key).string();
    }
  }
  return variant;
}

const std::set<std::string>& known_top_level_keys() {
  static const std::set<std::string> kKeys = {
      "format_version", "producer", "model",         "inputs", "outputs", "symbols",
      "graph_section",  "weights_section", "arena", "variants"};
  return kKeys;
}

Manifest parse_document(const YAML::Node& root) {
  Cursor document(root, "");
  if (!root.IsMap()) malformed("the document must be a mapping of keys to values");

  Manifest manifest;
  parse_format_version(document.required("format_version"), manifest);
  // The major is checked before anything else: a newer layout may differ
  // in any key, and "unsupported version" is the useful message then.
  if (manifest.format_major != 1) validate_manifest(manifest, FormatErrorCode::kMalformedManifest);

  Cursor producer = document.required("producer");
  producer.expect_map();
  manifest.producer.name = producer.required("name").string();
  manifest.producer.version = producer.optional_string("version");

  Cursor model = document.required("model");
  model.expect_map();
  manifest.model.name = model.required("name").string();
  manifest.model.content_hash = model.optional_string("content_hash");

  manifest.inputs = parse_tensors(document.required("inputs"));
  manifest.outputs = parse_tensors(document.required("outputs"));
  if (document.present("symbols")) manifest.symbols = document.child("symbols").strings();
  manifest.graph_section = document.required("graph_section").string();
  manifest.weights_section = document.optional_string("weights_section");
  if (document.present("arena")) manifest.arena = parse_arena(document.child("arena"));
  if (document.present("variants")) {
    Cursor variants = document.child("variants");
    variants.expect_sequence();
    for (size_t i = 0; i < variants.node().size(); ++i) {
      manifest.variants.push_back(parse_variant(variants.element(i)));
    }
  }

  for (const auto& pair : root) {
    std::string key = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    if (key.empty()) malformed("a top-level key is not a string");
    if (known_top_level_keys().count(key) == 0) {
      manifest.unknown_keys.emplace_back(key, YAML::Dump(pair.second));
    }
  }

  validate_manifest(manifest, FormatErrorCode::kMalformedManifest);
  return manifest;
}

void emit_tensors(YAML::Emitter& out, const char* key, const std::vector<TensorSpec>& tensors) {
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const TensorSpec& tensor : tensors) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << tensor.name;
    out << YAML::Key << "dtype" << YAML::Value << tensor.dtype;
    out << YAML::Key << "shape" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const Dimension& dim : tensor.shape) out << dim.to_string();
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void emit_variant(YAML::Emitter& out, const Variant& variant) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << variant.name;
  out << YAML::Key << "kind" << YAML::Value << variant.kind;
  out << YAML::Key << "format" << YAML::Value << variant.format;
  if (!variant.arch.empty()) out << YAML::Key << "arch" << YAML::Value << variant.arch;
  out << YAML::Key << "cpu_features" << YAML::Value << YAML::Flow << variant.cpu_features;
  if (variant.device) {
    out << YAML::Key << "device" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "vendor_id" << YAML::Value << variant.device->vendor_id;
    out << YAML::Key << "device_id" << YAML::Value << variant.device->device_id;
    out << YAML::Key << "platform" << YAML::Value << variant.device->platform;
    out << YAML::EndMap;
  }
  out << YAML::Key << "sections" << YAML::Value << YAML::Flow << variant.sections;
  out << YAML::Key << "compiler" << YAML::Value << variant.compiler;
  out << YAML::Key << "abi_version" << YAML::Value << variant.abi_version;
  out << YAML::Key << "properties" << YAML::Value << YAML::BeginMap;
  for (const auto& [key, value] : variant.properties) {
    out << YAML::Key << key << YAML::Value << value;
  }
  out << YAML::EndMap << YAML::EndMap;
}

}  // namespace

Manifest parse_manifest(const std::string& yaml_text) {
  if (std::optional<size_t> position = find_invalid_utf8(yaml_text)) {
    malformed("text is not valid UTF-8 at byte " + std::to_string(*position));
  }
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& error) {
    malformed("invalid YAML at line " + std::to_string(error.mark.line + 1) + ", column " +
              std::to_string(error.mark.column + 1) + ": " + error.msg);
  }
  try {
    return parse_document(root);
  } catch (const YAML::Exception& error) {
    // Cursor converts the errors it expects; this catches the rest, such
    // as a deeply nested document that yaml-cpp rejects.
    malformed("invalid structure: " + error.msg);
  }
}

std::string emit_manifest(const Manifest& manifest) {
  validate_manifest(manifest, FormatErrorCode::kInvalidArgument);

  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "format_version" << YAML::Value
      << YAML::DoubleQuoted << std::to_string(manifest.format_major) + "." + std::to_string(manifest.format_minor);
  out << YAML::Key << "producer" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << manifest.producer.name;
  out << YAML::Key << "version" << YAML::Value << manifest.producer.version;
  out << YAML::EndMap;
  out << YAML::Key << "model" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << manifest.model.name;
  out << YAML::Key << "content_hash" << YAML::Value << manifest.model.content_hash;
  out << YAML::EndMap;
  emit_tensors(out, "inputs", manifest.inputs);
  emit_tensors(out, "outputs", manifest.outputs);
  out << YAML::Key << "symbols" << YAML::Value << YAML::Flow << manifest.symbols;
  out << YAML::Key << "graph_section" << YAML::Value << manifest.graph_section;
  out << YAML::Key << "weights_section" << YAML::Value << manifest.weights_section;
  out << YAML::Key << "arena" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "base_bytes" << YAML::Value << manifest.arena.base_bytes;
  out << YAML::Key << "per_symbol_bytes" << YAML::Value << YAML::BeginMap;
  for (const auto& [symbol, bytes] : manifest.arena.per_symbol_bytes) {
    out << YAML::Key << symbol << YAML::Value << bytes;
  }
  out << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "variants" << YAML::Value << YAML::BeginSeq;
  for (const Variant& variant : manifest.variants) emit_variant(out, variant);
  out << YAML::EndSeq;
  for (const auto& [key, yaml_value] : manifest.unknown_keys) {
    out << YAML::Key << key << YAML::Value << YAML::Load(yaml_value);
  }
  out << YAML::EndMap;

  if (!out.good()) {
    throw FormatError(FormatErrorCode::kInvalidArgument,
                      "manifest: YAML emitter failed: " + out.GetLastError());
  }
  return std::string(out.c_str()) + "\n";
}

}  // namespace npujar::format
