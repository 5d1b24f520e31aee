#include "npujar/runtime/archive_check.h"

#include <cerrno>
#include <cstdlib>
#include <map>
#include <vector>

#include "npujar/format/error.h"
#include "npujar/ir/error.h"
#include "npujar/ir/serialize.h"

namespace npujar::runtime {
namespace {

Status invalid_archive(const std::string& message) {
  return Status(NPUJAR_ERROR_INVALID_ARCHIVE, message);
}

std::string spec_shape(const std::vector<format::Dimension>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    text += (i > 0 ? "," : "") + shape[i].to_string();
  }
  return text + "]";
}

format::TensorSpec graph_spec(const ir::Value& value) {
  format::TensorSpec spec;
  spec.name = value.name;
  spec.dtype = ir::dtype_name(value.dtype);
  for (const ir::Dim& dim : value.shape) {
    spec.shape.push_back(format::Dimension{dim.coefficient, dim.symbol});
  }
  return spec;
}

Status compare_tensors(const char* role, const std::vector<format::TensorSpec>& manifest,
                       const ir::Graph& graph, const std::vector<int>& indices) {
  std::string field = std::string("manifest ") + role + "s";
  if (manifest.size() != indices.size()) {
    return invalid_archive(field + ": the manifest lists " + std::to_string(manifest.size()) +
                           " but the graph has " + std::to_string(indices.size()));
  }
  for (size_t i = 0; i < manifest.size(); ++i) {
    const format::TensorSpec& listed = manifest[i];
    format::TensorSpec expected = graph_spec(graph.values[static_cast<size_t>(indices[i])]);
    std::string prefix = field + "[" + std::to_string(i) + "] '" + listed.name + "': ";
    if (listed.name != expected.name) {
      return invalid_archive(prefix + "name is '" + listed.name + "' but the graph's is '" +
                             expected.name + "'");
    }
    if (listed.dtype != expected.dtype) {
      return invalid_archive(prefix + "dtype is " + listed.dtype + " but the graph's is " +
                             expected.dtype);
    }
    if (listed.shape != expected.shape) {
      return invalid_archive(prefix + "shape is " + spec_shape(listed.shape) +
                             " but the graph's is " + spec_shape(expected.shape));
    }
  }
  return Status::ok();
}

std::optional<uint64_t> parse_bytes(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  errno = 0;
  unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
  if (errno == ERANGE) {
    return std::nullopt;
  }
  return static_cast<uint64_t>(value);
}

// Parses "N=384,M=16" (an empty string means no symbol).
std::optional<std::map<std::string, uint64_t>> parse_per_symbol(const std::string& text) {
  std::map<std::string, uint64_t> result;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    std::string item = text.substr(start, end - start);
    size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      return std::nullopt;
    }
    std::optional<uint64_t> bytes = parse_bytes(item.substr(equals + 1));
    if (!bytes) {
      return std::nullopt;
    }
    result[item.substr(0, equals)] = *bytes;
    start = end + 1;
  }
  return result;
}

}  // namespace

Status check_manifest_against_graph(const format::ArchiveReader& archive) {
  const format::Manifest& manifest = archive.manifest();
  if (manifest.graph_section.empty()) {
    return invalid_archive("manifest graph_section: missing, so the inputs and outputs cannot "
                           "be checked");
  }
  ir::Graph graph;
  try {
    format::ByteView graph_bytes = archive.section_bytes(manifest.graph_section);
    format::ByteView weights;
    if (!manifest.weights_section.empty()) {
      weights = archive.section_bytes(manifest.weights_section);
    }
    // Only the structure is decoded: constants are checked against the
    // weights section's size, and their bytes stay where they are.
    graph = ir::deserialize_graph_structure(graph_bytes.data, graph_bytes.size, weights.size);
  } catch (const format::FormatError& error) {
    return Status(error.code() == format::FormatErrorCode::kIoError ? NPUJAR_ERROR_IO
                                                                    : NPUJAR_ERROR_INVALID_ARCHIVE,
                  error.message());
  } catch (const ir::IrError& error) {
    return invalid_archive(error.what());
  }

  Status inputs = compare_tensors("input", manifest.inputs, graph, graph.inputs);
  if (!inputs) {
    return inputs;
  }
  return compare_tensors("output", manifest.outputs, graph, graph.outputs);
}

Status check_variant_arena(const format::Manifest& manifest, const format::Variant& variant) {
  std::string prefix = "variant '" + variant.name + "': ";
  auto base = variant.properties.find("arena_base_bytes");
  if (base != variant.properties.end()) {
    std::optional<uint64_t> needed = parse_bytes(base->second);
    if (!needed) {
      return invalid_archive(prefix + "property arena_base_bytes '" + base->second +
                             "' is not a byte count");
    }
    if (manifest.arena.base_bytes < *needed) {
      return invalid_archive(prefix + "manifest arena.base_bytes is " +
                             std::to_string(manifest.arena.base_bytes) +
                             " but the compiled code needs " + std::to_string(*needed));
    }
  }
  auto per_symbol = variant.properties.find("arena_per_symbol_bytes");
  if (per_symbol != variant.properties.end()) {
    auto needed = parse_per_symbol(per_symbol->second);
    if (!needed) {
      return invalid_archive(prefix + "property arena_per_symbol_bytes '" + per_symbol->second +
                             "' is not a list of SYMBOL=BYTES");
    }
    for (const auto& [symbol, bytes] : *needed) {
      auto listed = manifest.arena.per_symbol_bytes.find(symbol);
      uint64_t have = listed == manifest.arena.per_symbol_bytes.end() ? 0 : listed->second;
      if (have < bytes) {
        return invalid_archive(prefix + "manifest arena.per_symbol_bytes." + symbol + " is " +
                               std::to_string(have) + " but the compiled code needs " +
                               std::to_string(bytes));
      }
    }
  }
  return Status::ok();
}

}  // namespace npujar::runtime
