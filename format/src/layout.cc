// Little-endian encoding of the header and section table entries. Fields
// are assembled byte by byte so the code is independent of host byte order
// and of struct padding.
#include "npujar/format/layout.h"

#include <xxhash.h>

#include <cstring>
#include <stdexcept>

namespace npujar::format {
namespace {

void store16(uint8_t* out, uint16_t value) {
  out[0] = static_cast<uint8_t>(value);
  out[1] = static_cast<uint8_t>(value >> 8);
}

void store32(uint8_t* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

void store64(uint8_t* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint16_t load16(const uint8_t* in) {
  return static_cast<uint16_t>(in[0] | (in[1] << 8));
}

uint32_t load32(const uint8_t* in) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | in[i];
  return value;
}

uint64_t load64(const uint8_t* in) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | in[i];
  return value;
}

std::string unknown_name(uint32_t value) {
  return "unknown(" + std::to_string(value) + ")";
}

}  // namespace

bool is_known_section_kind(uint32_t kind) {
  return kind >= static_cast<uint32_t>(SectionKind::kManifest) &&
         kind <= static_cast<uint32_t>(SectionKind::kMetadata);
}

std::string section_kind_name(uint32_t kind) {
  switch (static_cast<SectionKind>(kind)) {
    case SectionKind::kManifest: return "manifest";
    case SectionKind::kGraph: return "graph";
    case SectionKind::kWeights: return "weights";
    case SectionKind::kObject: return "object";
    case SectionKind::kBitcode: return "bitcode";
    case SectionKind::kDeviceBlob: return "device-blob";
    case SectionKind::kMetadata: return "metadata";
  }
  return unknown_name(kind);
}

bool is_known_compression(uint32_t compression) {
  return compression == static_cast<uint32_t>(Compression::kNone) ||
         compression == static_cast<uint32_t>(Compression::kZstd);
}

std::string compression_name(uint32_t compression) {
  switch (static_cast<Compression>(compression)) {
    case Compression::kNone: return "none";
    case Compression::kZstd: return "zstd";
  }
  return unknown_name(compression);
}

uint64_t checksum64(const void* data, size_t size) {
  return XXH3_64bits(data, size);
}

void encode_header(const Header& header, uint8_t out[kHeaderSize]) {
  std::memset(out, 0, kHeaderSize);
  std::memcpy(out, kMagic, sizeof(kMagic));
  store16(out + 8, header.major_version);
  store16(out + 10, header.minor_version);
  store32(out + 12, header.header_size);
  store64(out + 16, header.section_table_offset);
  store32(out + 24, header.section_count);
  store32(out + 28, header.section_entry_size);
  store64(out + 32, header.file_size);
  store64(out + 40, header.section_table_checksum);
  store64(out + 56, header.header_checksum);
}

Header decode_header(const uint8_t in[kHeaderSize]) {
  Header header;
  header.major_version = load16(in + 8);
  header.minor_version = load16(in + 10);
  header.header_size = load32(in + 12);
  header.section_table_offset = load64(in + 16);
  header.section_count = load32(in + 24);
  header.section_entry_size = load32(in + 28);
  header.file_size = load64(in + 32);
  header.section_table_checksum = load64(in + 40);
  header.header_checksum = load64(in + 56);
  return header;
}

void encode_section_entry(const SectionEntry& entry, uint8_t out[kSectionEntrySize]) {
  if (entry.name.size() > kMaxSectionNameLength) {
    throw std::invalid_argument("section name '" + entry.name + "' is longer than 48 bytes");
  }
  std::memset(out, 0, kSectionEntrySize);
  std::memcpy(out, entry.name.data(), entry.name.size());
  store32(out + 48, entry.kind);
  store32(out + 52, entry.flags);
  store64(out + 56, entry.offset);
  store64(out + 64, entry.stored_size);
  store64(out + 72, entry.raw_size);
  store32(out + 80, entry.compression);
  store32(out + 84, entry.alignment);
  store64(out + 88, entry.checksum);
}

SectionEntry decode_section_entry(const uint8_t in[kSectionEntrySize]) {
  SectionEntry entry;
  size_t name_length = 0;
  while (name_length < kMaxSectionNameLength && in[name_length] != 0) ++name_length;
  entry.name.assign(reinterpret_cast<const char*>(in), name_length);
  entry.kind = load32(in + 48);
  entry.flags = load32(in + 52);
  entry.offset = load64(in + 56);
  entry.stored_size = load64(in + 64);
  entry.raw_size = load64(in + 72);
  entry.compression = load32(in + 80);
  entry.alignment = load32(in + 84);
  entry.checksum = load64(in + 88);
  return entry;
}

void reseal_archive(uint8_t* archive, size_t size) {
  if (size < kHeaderSize) {
    throw std::invalid_argument("archive of " + std::to_string(size) +
                                " bytes has no complete header to reseal");
  }
  Header header = decode_header(archive);
  uint64_t table_bytes = uint64_t{header.section_count} * header.section_entry_size;
  if (header.section_table_offset > size || table_bytes > size - header.section_table_offset) {
    throw std::invalid_argument("section table at offset " +
                                std::to_string(header.section_table_offset) +
                                " lies outside the archive of " + std::to_string(size) +
                                " bytes; cannot reseal");
  }
  uint64_t table_checksum =
      checksum64(archive + header.section_table_offset, static_cast<size_t>(table_bytes));
  store64(archive + 40, table_checksum);
  store64(archive + 56, checksum64(archive, 56));
}

}  // namespace npujar::format
