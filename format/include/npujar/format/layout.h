// On-disk layout of a .npujar archive, version 1.0. docs/format.md is the
// specification; this header mirrors its constants and field order.
//
//   [header: 64 bytes][section data, each aligned][section table: count * 128 bytes]
//
// All integers are little-endian. Every section's bytes are located through
// the section table, so readers never assume an order of sections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace npujar::format {

// "\x89NPUJAR\n": the high byte catches 7-bit transfers and the newline
// catches newline conversion, as in PNG.
inline constexpr uint8_t kMagic[8] = {0x89, 'N', 'P', 'U', 'J', 'A', 'R', '\n'};

inline constexpr uint16_t kFormatMajorVersion = 1;
inline constexpr uint16_t kFormatMinorVersion = 0;

inline constexpr size_t kHeaderSize = 64;
inline constexpr size_t kSectionEntrySize = 128;
inline constexpr size_t kMaxSectionNameLength = 48;

// Sections are aligned to at least this many bytes (a cache line, and the
// alignment the model ABI promises for weights).
inline constexpr uint32_t kMinSectionAlignment = 64;
// One page: enough to map a section's pages directly, and what the reader's
// private copy of a buffer guarantees.
inline constexpr uint32_t kMaxSectionAlignment = 4096;

// Content type of a section. A reader understands the kinds defined by the
// minor version it was written for (is_known_section_kind). It skips
// sections of other kinds when they are optional and rejects the archive
// when they are required. New kinds take new numbers in a new minor version.
// Values from 0x10000 on are free for private experiments, and no reader
// treats them as known.
enum class SectionKind : uint32_t {
  kManifest = 1,     // YAML text, see manifest.h
  kGraph = 2,        // serialized graph IR
  kWeights = 3,      // constant tensors, row-major, referenced by the graph
  kObject = 4,       // relocatable object file of a compiled variant (ELF)
  kBitcode = 5,      // LLVM bitcode of a portable variant
  kDeviceBlob = 6,   // precompiled accelerator code (NPU blob, OpenVINO IR, ...)
  kMetadata = 7,     // free-form extra data for tools, never needed to run
};

bool is_known_section_kind(uint32_t kind);
// "manifest", "graph", ...; "unknown(<n>)" for unknown values.
std::string section_kind_name(uint32_t kind);

enum class Compression : uint32_t {
  kNone = 0,
  kZstd = 1,  // one zstd frame holding exactly raw_size bytes
};

bool is_known_compression(uint32_t compression);
// "none", "zstd"; "unknown(<n>)" for unknown values.
std::string compression_name(uint32_t compression);

// Bit 0 of SectionEntry::flags. Other bits are reserved and must be zero.
inline constexpr uint32_t kSectionFlagRequired = 1u << 0;

// The manifest section's fixed name; every archive has exactly one.
inline constexpr const char* kManifestSectionName = "manifest";

// Header fields, decoded. Byte offsets: magic 0..7, major 8, minor 10,
// header_size 12, section_table_offset 16, section_count 24,
// section_entry_size 28, file_size 32, section_table_checksum 40,
// reserved 48..55 (zero), header_checksum 56 (XXH3-64 of bytes 0..55).
struct Header {
  uint16_t major_version = kFormatMajorVersion;
  uint16_t minor_version = kFormatMinorVersion;
  uint32_t header_size = kHeaderSize;
  uint64_t section_table_offset = 0;
  uint32_t section_count = 0;
  uint32_t section_entry_size = kSectionEntrySize;
  uint64_t file_size = 0;
  uint64_t section_table_checksum = 0;  // XXH3-64 of the whole section table
  uint64_t header_checksum = 0;
};

// One section table entry, decoded. Byte offsets: name 0..47 (NUL-padded),
// kind 48, flags 52, offset 56, stored_size 64, raw_size 72,
// compression 80, alignment 84, checksum 88, reserved 96..127 (zero).
struct SectionEntry {
  std::string name;
  uint32_t kind = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;       // from the start of the archive
  uint64_t stored_size = 0;  // bytes in the archive
  uint64_t raw_size = 0;     // bytes after decompression
  uint32_t compression = 0;
  uint32_t alignment = kMinSectionAlignment;
  uint64_t checksum = 0;     // XXH3-64 of the raw (decompressed) bytes

  bool required() const { return (flags & kSectionFlagRequired) != 0; }
};

// XXH3-64 with seed 0, the checksum used everywhere in the format.
uint64_t checksum64(const void* data, size_t size);

// Encoders and decoders of the fixed-size records. Decoding does no
// validation beyond copying fields; ArchiveReader validates. Tools and tests
// use these to build archives that the writer would refuse to produce.
void encode_header(const Header& header, uint8_t out[kHeaderSize]);
Header decode_header(const uint8_t in[kHeaderSize]);
void encode_section_entry(const SectionEntry& entry, uint8_t out[kSectionEntrySize]);
SectionEntry decode_section_entry(const uint8_t in[kSectionEntrySize]);

// Recomputes the section table checksum and then the header checksum of a
// complete archive in place, after a caller patched fields. Expects a header
// whose table offset and count lie inside `size`.
void reseal_archive(uint8_t* archive, size_t size);

}  // namespace npujar::format
