// Archives and manifests shared by the format tests, and helpers that patch
// archive bytes at the offsets docs/format.md specifies.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "npujar/format/format.h"

namespace npujar::format::testing {

// Offsets from the specification, written out here rather than taken from
// the library so that a layout change in the library fails the tests.
inline constexpr size_t kHeaderMajorOffset = 8;
inline constexpr size_t kHeaderTableOffsetOffset = 16;
inline constexpr size_t kHeaderSectionCountOffset = 24;
inline constexpr size_t kHeaderFileSizeOffset = 32;
inline constexpr size_t kEntryKindOffset = 48;
inline constexpr size_t kEntryFlagsOffset = 52;
inline constexpr size_t kEntryOffsetOffset = 56;
inline constexpr size_t kEntryStoredSizeOffset = 64;
inline constexpr size_t kEntryRawSizeOffset = 72;
inline constexpr size_t kEntryCompressionOffset = 80;
inline constexpr size_t kEntryAlignmentOffset = 84;
inline constexpr size_t kEntryChecksumOffset = 88;
inline constexpr size_t kEntrySize = 128;

inline uint64_t load_le(const std::vector<uint8_t>& bytes, size_t offset, size_t width) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i) value |= uint64_t{bytes[offset + i]} << (8 * i);
  return value;
}

inline void store_le(std::vector<uint8_t>& bytes, size_t offset, size_t width, uint64_t value) {
  for (size_t i = 0; i < width; ++i) bytes[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

// Byte offset of the table entry of section `name`; aborts the test run
// through an out-of-range value when absent.
inline size_t entry_position(const std::vector<uint8_t>& archive, const std::string& name) {
  uint64_t table = load_le(archive, kHeaderTableOffsetOffset, 8);
  uint64_t count = load_le(archive, kHeaderSectionCountOffset, 4);
  for (uint64_t i = 0; i < count; ++i) {
    size_t position = static_cast<size_t>(table + i * kEntrySize);
    if (std::strncmp(reinterpret_cast<const char*>(&archive[position]), name.c_str(), 48) == 0) {
      return position;
    }
  }
  return archive.size();
}

inline uint64_t entry_field(const std::vector<uint8_t>& archive, const std::string& name,
                            size_t field, size_t width) {
  return load_le(archive, entry_position(archive, name) + field, width);
}

inline void set_entry_field(std::vector<uint8_t>& archive, const std::string& name, size_t field,
                            size_t width, uint64_t value) {
  store_le(archive, entry_position(archive, name) + field, width, value);
}

inline std::vector<uint8_t> bytes_of(const std::string& text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

// Deterministic bytes that compress well but not trivially.
inline std::vector<uint8_t> pattern_bytes(size_t size, uint8_t seed) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>((i / 7) * 31 + seed);
  return bytes;
}

// A manifest with every field set to a non-default value.
inline Manifest full_manifest() {
  Manifest manifest;
  manifest.format_major = 1;
  manifest.format_minor = 0;
  manifest.producer = {"npujar", "0.1.0"};
  manifest.model = {"tiny-mlp", ""};
  manifest.inputs = {{"x", "f32", {Dimension::symbolic("N"), Dimension::fixed(3),
                                   Dimension::fixed(224), Dimension::fixed(224)}},
                     {"mask", "bool", {Dimension::symbolic("N", 12), Dimension::fixed(0)}}};
  manifest.outputs = {{"logits", "bf16", {Dimension::symbolic("N"), Dimension::fixed(1000)}}};
  manifest.symbols = {"N", "S"};
  manifest.graph_section = "graph";
  manifest.weights_section = "weights";
  manifest.arena.base_bytes = 4096;
  manifest.arena.per_symbol_bytes = {{"N", 802816}, {"S", 64}};

  Variant cpu;
  cpu.name = "cpu-x86-64-v3";
  cpu.kind = "cpu";
  cpu.format = "object";
  cpu.arch = "x86_64";
  cpu.cpu_features = {"avx2", "fma", "bmi2"};
  cpu.sections = {"code/cpu-x86-64-v3"};
  cpu.compiler = "LLVM 15.0.6";
  cpu.abi_version = 1;
  cpu.properties = {{"opt_level", "3"}, {"tile", "8x32"}};

  Variant npu;
  npu.name = "npu-intel";
  npu.kind = "npu";
  npu.format = "npu-blob";
  npu.device = DeviceRequirement{0x8086, 0x7d1d, "level-zero"};
  npu.sections = {"code/npu-intel", "weights"};
  npu.compiler = "vpux 1.2";
  npu.abi_version = 2;
  manifest.variants = {cpu, npu};
  return manifest;
}

// An archive with the full manifest: an uncompressed 4096-aligned weights
// section, a zstd graph section, and one section per variant.
inline ArchiveWriter full_writer() {
  ArchiveWriter writer;
  SectionOptions zstd;
  zstd.compression = Compression::kZstd;
  SectionOptions page_aligned;
  page_aligned.alignment = 4096;
  writer.add_section("graph", SectionKind::kGraph, pattern_bytes(5000, 1), zstd);
  writer.add_section("weights", SectionKind::kWeights, pattern_bytes(10000, 2), page_aligned);
  writer.add_section("code/cpu-x86-64-v3", SectionKind::kObject, pattern_bytes(700, 3));
  writer.add_section("code/npu-intel", SectionKind::kDeviceBlob, pattern_bytes(300, 4), zstd);
  Manifest manifest = full_manifest();
  std::vector<uint8_t> graph = pattern_bytes(5000, 1);
  std::vector<uint8_t> weights = pattern_bytes(10000, 2);
  manifest.model.content_hash =
      compute_content_hash(graph.data(), graph.size(), weights.data(), weights.size());
  writer.set_manifest(manifest);
  return writer;
}

inline std::vector<uint8_t> full_archive() { return full_writer().write_to_buffer(); }

// A manifest that names only a section called "graph".
inline Manifest graph_only_manifest() {
  Manifest manifest;
  manifest.producer = {"test", "1"};
  manifest.model = {"minimal", ""};
  manifest.graph_section = "graph";
  return manifest;
}

// The smallest archive the reader accepts: a manifest and a graph section.
inline std::vector<uint8_t> minimal_archive() {
  ArchiveWriter writer;
  writer.add_section("graph", SectionKind::kGraph, bytes_of("graph-bytes"));
  writer.set_manifest(graph_only_manifest());
  return writer.write_to_buffer();
}

}  // namespace npujar::format::testing
