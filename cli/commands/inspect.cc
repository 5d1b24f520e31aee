// `npujar inspect FILE [--json]`: prints an archive's manifest, section
// table and variants, as text for people or as one JSON object for tools.
//
// Inspect reads every section once to report its checksum state, so a
// corrupt section shows as "mismatch" instead of stopping the listing. An
// archive whose header, table or manifest is invalid cannot be listed, and
// inspect then exits with status 1 like `npujar verify`.
//
// Each part of the report is one function over an InspectReport; a new
// option (for example a dump of the graph IR) adds a flag to
// InspectOptions and a part printed after the others.
#include <cstdio>
#include <string>

#include "commands.h"
#include "npujar/format/reader.h"
#include "npujar/ir/dump.h"
#include "npujar/ir/error.h"
#include "npujar/ir/serialize.h"

namespace npujar::cli {
namespace {

struct InspectOptions {
  std::string path;
  bool json = false;
  bool graph = false;
};

struct SectionReport {
  const format::SectionInfo* info;
  std::string checksum;  // "ok", "mismatch" or "unchecked"
  std::string problem;   // the error when the section could not be read
};

struct InspectReport {
  std::string path;
  size_t archive_bytes = 0;
  const format::ArchiveReader* reader = nullptr;
  std::vector<SectionReport> sections;
};

std::vector<SectionReport> check_sections(const format::ArchiveReader& reader) {
  std::vector<SectionReport> reports;
  for (const format::SectionInfo& info : reader.sections()) {
    SectionReport report{&info, "ok", ""};
    if (!info.entry.required() && !format::is_known_compression(info.entry.compression)) {
      report.checksum = "unchecked";
    } else {
      try {
        reader.section_bytes(info.entry.name);
      } catch (const format::FormatError& error) {
        report.checksum = "mismatch";
        report.problem = error.message();
      }
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

std::string shape_text(const std::vector<format::Dimension>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ",";
    text += shape[i].to_string();
  }
  return text + "]";
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += separator;
    text += items[i];
  }
  return text;
}

double compression_ratio(const format::SectionEntry& entry) {
  return entry.stored_size == 0 ? 1.0
                                : static_cast<double>(entry.raw_size) / entry.stored_size;
}

// ---- Text ---------------------------------------------------------------

void print_text_manifest(const InspectReport& report) {
  const format::ArchiveReader& reader = *report.reader;
  const format::Manifest& manifest = reader.manifest();
  std::printf("archive: %s (%zu bytes, format %u.%u)\n", report.path.c_str(), report.archive_bytes,
              reader.header().major_version, reader.header().minor_version);
  std::printf("model: %s\n", manifest.model.name.c_str());
  std::printf("content hash: %s\n",
              manifest.model.content_hash.empty() ? "(none)" : manifest.model.content_hash.c_str());
  std::printf("producer: %s %s\n", manifest.producer.name.c_str(),
              manifest.producer.version.c_str());
  std::printf("inputs:\n");
  for (const format::TensorSpec& tensor : manifest.inputs) {
    std::printf("  %s: %s %s\n", tensor.name.c_str(), tensor.dtype.c_str(),
                shape_text(tensor.shape).c_str());
  }
  std::printf("outputs:\n");
  for (const format::TensorSpec& tensor : manifest.outputs) {
    std::printf("  %s: %s %s\n", tensor.name.c_str(), tensor.dtype.c_str(),
                shape_text(tensor.shape).c_str());
  }
  std::printf("symbols: %s\n", manifest.symbols.empty() ? "(none)" : join(manifest.symbols, ", ").c_str());
  std::printf("arena: %llu bytes", static_cast<unsigned long long>(manifest.arena.base_bytes));
  for (const auto& [symbol, bytes] : manifest.arena.per_symbol_bytes) {
    std::printf(" + %llu * %s", static_cast<unsigned long long>(bytes), symbol.c_str());
  }
  std::printf("\ngraph section: %s\nweights section: %s\n", manifest.graph_section.c_str(),
              manifest.weights_section.empty() ? "(none)" : manifest.weights_section.c_str());
  for (const auto& [key, value] : manifest.unknown_keys) {
    std::printf("unknown manifest key: %s\n", key.c_str());
  }
}

void print_text_sections(const InspectReport& report) {
  std::printf("sections:\n");
  std::printf("  %-24s %-15s %-8s %10s %12s %12s %-6s %6s %s\n", "name", "kind", "flags",
              "offset", "stored", "raw", "codec", "ratio", "checksum");
  for (const SectionReport& section : report.sections) {
    const format::SectionEntry& entry = section.info->entry;
    std::printf("  %-24s %-15s %-8s %10llu %12llu %12llu %-6s %6.2f %s\n", entry.name.c_str(),
                format::section_kind_name(entry.kind).c_str(),
                entry.required() ? "required" : "optional",
                static_cast<unsigned long long>(entry.offset),
                static_cast<unsigned long long>(entry.stored_size),
                static_cast<unsigned long long>(entry.raw_size),
                format::compression_name(entry.compression).c_str(), compression_ratio(entry),
                section.checksum.c_str());
    if (!section.problem.empty()) std::printf("    %s\n", section.problem.c_str());
  }
}

void print_text_variants(const InspectReport& report) {
  std::printf("variants:\n");
  for (const format::Variant& variant : report.reader->manifest().variants) {
    std::printf("  %s: kind %s, format %s, arch %s, abi %lld\n", variant.name.c_str(),
                variant.kind.c_str(), variant.format.c_str(),
                variant.arch.empty() ? "(any)" : variant.arch.c_str(),
                static_cast<long long>(variant.abi_version));
    if (!variant.cpu_features.empty()) {
      std::printf("    cpu features: %s\n", join(variant.cpu_features, " ").c_str());
    }
    if (variant.device) {
      std::printf("    device: vendor 0x%04x, device 0x%04x, platform %s\n",
                  variant.device->vendor_id, variant.device->device_id,
                  variant.device->platform.c_str());
    }
    std::printf("    sections: %s\n", join(variant.sections, ", ").c_str());
    if (!variant.compiler.empty()) std::printf("    compiler: %s\n", variant.compiler.c_str());
    for (const auto& [key, value] : variant.properties) {
      std::printf("    %s: %s\n", key.c_str(), value.c_str());
    }
  }
}

// ---- JSON ---------------------------------------------------------------

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string json_strings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i > 0 ? "," : "") + json_string(items[i]);
  return out + "]";
}

std::string json_tensors(const std::vector<format::TensorSpec>& tensors) {
  std::string out = "[";
  for (size_t i = 0; i < tensors.size(); ++i) {
    std::vector<std::string> dims;
    for (const format::Dimension& dim : tensors[i].shape) dims.push_back(dim.to_string());
    out += (i > 0 ? "," : "");
    out += "{\"name\":" + json_string(tensors[i].name) + ",\"dtype\":" +
           json_string(tensors[i].dtype) + ",\"shape\":" + json_strings(dims) + "}";
  }
  return out + "]";
}

std::string json_manifest(const format::Manifest& manifest) {
  std::string per_symbol = "{";
  for (const auto& [symbol, bytes] : manifest.arena.per_symbol_bytes) {
    per_symbol += (per_symbol.size() > 1 ? "," : "") + json_string(symbol) + ":" +
                  std::to_string(bytes);
  }
  per_symbol += "}";
  std::vector<std::string> unknown_keys;
  for (const auto& [key, value] : manifest.unknown_keys) unknown_keys.push_back(key);

  return "{\"format_version\":" +
         json_string(std::to_string(manifest.format_major) + "." +
                     std::to_string(manifest.format_minor)) +
         ",\"producer\":{\"name\":" + json_string(manifest.producer.name) +
         ",\"version\":" + json_string(manifest.producer.version) + "}" +
         ",\"model\":{\"name\":" + json_string(manifest.model.name) +
         ",\"content_hash\":" + json_string(manifest.model.content_hash) + "}" +
         ",\"inputs\":" + json_tensors(manifest.inputs) +
         ",\"outputs\":" + json_tensors(manifest.outputs) +
         ",\"symbols\":" + json_strings(manifest.symbols) +
         ",\"graph_section\":" + json_string(manifest.graph_section) +
         ",\"weights_section\":" + json_string(manifest.weights_section) +
         ",\"arena\":{\"base_bytes\":" + std::to_string(manifest.arena.base_bytes) +
         ",\"per_symbol_bytes\":" + per_symbol + "}" +
         ",\"unknown_keys\":" + json_strings(unknown_keys) + "}";
}

std::string json_sections(const InspectReport& report) {
  std::string out = "[";
  for (size_t i = 0; i < report.sections.size(); ++i) {
    const SectionReport& section = report.sections[i];
    const format::SectionEntry& entry = section.info->entry;
    char ratio[32];
    std::snprintf(ratio, sizeof(ratio), "%.4f", compression_ratio(entry));
    out += (i > 0 ? "," : "");
    out += "{\"name\":" + json_string(entry.name) +
           ",\"kind\":" + json_string(format::section_kind_name(entry.kind)) +
           ",\"required\":" + (entry.required() ? "true" : "false") +
           ",\"offset\":" + std::to_string(entry.offset) +
           ",\"stored_size\":" + std::to_string(entry.stored_size) +
           ",\"raw_size\":" + std::to_string(entry.raw_size) +
           ",\"compression\":" + json_string(format::compression_name(entry.compression)) +
           ",\"compression_ratio\":" + ratio +
           ",\"alignment\":" + std::to_string(entry.alignment) +
           ",\"checksum\":" + json_string(section.checksum) +
           ",\"problem\":" + json_string(section.problem) + "}";
  }
  return out + "]";
}

std::string json_variants(const format::Manifest& manifest) {
  std::string out = "[";
  for (size_t i = 0; i < manifest.variants.size(); ++i) {
    const format::Variant& variant = manifest.variants[i];
    std::string device = "null";
    if (variant.device) {
      device = "{\"vendor_id\":" + std::to_string(variant.device->vendor_id) +
               ",\"device_id\":" + std::to_string(variant.device->device_id) +
               ",\"platform\":" + json_string(variant.device->platform) + "}";
    }
    std::string properties = "{";
    for (const auto& [key, value] : variant.properties) {
      properties += (properties.size() > 1 ? "," : "") + json_string(key) + ":" +
                    json_string(value);
    }
    properties += "}";
    out += (i > 0 ? "," : "");
    out += "{\"name\":" + json_string(variant.name) + ",\"kind\":" + json_string(variant.kind) +
           ",\"format\":" + json_string(variant.format) + ",\"arch\":" +
           json_string(variant.arch) + ",\"cpu_features\":" + json_strings(variant.cpu_features) +
           ",\"device\":" + device + ",\"sections\":" + json_strings(variant.sections) +
           ",\"compiler\":" + json_string(variant.compiler) +
           ",\"abi_version\":" + std::to_string(variant.abi_version) +
           ",\"properties\":" + properties + "}";
  }
  return out + "]";
}

void print_json(const InspectReport& report) {
  const format::ArchiveReader& reader = *report.reader;
  std::string out = "{\"path\":" + json_string(report.path) +
                    ",\"archive_bytes\":" + std::to_string(report.archive_bytes) +
                    ",\"format_version\":" +
                    json_string(std::to_string(reader.header().major_version) + "." +
                                std::to_string(reader.header().minor_version)) +
                    ",\"manifest\":" + json_manifest(reader.manifest()) +
                    ",\"sections\":" + json_sections(report) +
                    ",\"variants\":" + json_variants(reader.manifest()) + "}";
  std::printf("%s\n", out.c_str());
}

// Prints the graph section as IR text (ir/dump.h), for `inspect --graph`.
void print_graph(const format::ArchiveReader& reader) {
  const format::Manifest& manifest = reader.manifest();
  format::ByteView graph = reader.section_bytes(manifest.graph_section);
  format::ByteView weights;
  if (!manifest.weights_section.empty()) weights = reader.section_bytes(manifest.weights_section);
  ir::Graph decoded = ir::deserialize_graph(graph.data, graph.size, weights.data, weights.size);
  std::printf("%s", ir::dump_graph(decoded).c_str());
}

void run_inspect(const InspectOptions& options) {
  try {
    format::ArchiveReader reader = format::ArchiveReader::open_file(options.path);
    InspectReport report;
    report.path = options.path;
    report.archive_bytes = static_cast<size_t>(reader.header().file_size);
    report.reader = &reader;
    report.sections = check_sections(reader);

    if (options.graph) {
      print_graph(reader);
      return;
    }
    if (options.json) {
      print_json(report);
      return;
    }
    print_text_manifest(report);
    print_text_sections(report);
    print_text_variants(report);
  } catch (const format::FormatError& error) {
    throw CommandError{"inspect: " + options.path + ": " + error.message() + " [" +
                       format::error_code_name(error.code()) + "]"};
  } catch (const ir::IrError& error) {
    throw CommandError{"inspect: " + options.path + ": invalid graph section: " + std::string(error.what())};
  }
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* command = app.add_subcommand(
      "inspect", "Print an archive's manifest, sections (sizes, compression, checksums) and variants");
  command->set_version_flag("--version", std::string("npujar ") + NPUJAR_VERSION_STRING);
  command->add_option("FILE", options->path, "The .npujar archive to describe")->required();
  command->add_flag("--json", options->json, "Print one JSON object instead of text");
  command->add_flag("--graph", options->graph, "Print the model's graph as IR text instead of the summary");
  command->callback([options] { run_inspect(*options); });
}

}  // namespace npujar::cli
