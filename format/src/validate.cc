// The layered checks of an untrusted archive. Each layer relies only on
// what earlier layers proved: the header is read only after the size check,
// the table only after its bounds and checksum, entry offsets are compared
// with overflow-free arithmetic (a + b <= c is written b <= c - a after
// checking a <= c), and nothing is decompressed here.
#include "validate.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>

#include "npujar/format/error.h"

namespace npujar::format::detail {
namespace {

[[noreturn]] void reject(FormatErrorCode code, const std::string& message) {
  throw FormatError(code, message);
}

std::string str(uint64_t value) { return std::to_string(value); }

std::string hex64(uint64_t value) {
  char text[19];
  std::snprintf(text, sizeof(text), "0x%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::string hex_prefix(const uint8_t* data, size_t size) {
  std::string text;
  for (size_t i = 0; i < size && i < sizeof(kMagic); ++i) {
    char byte[4];
    std::snprintf(byte, sizeof(byte), i == 0 ? "%02x" : " %02x", data[i]);
    text += byte;
  }
  return text;
}

// A newer minor version may give reserved fields a meaning that an older
// reader can ignore, so reserved fields are checked only in archives whose
// minor version is not newer than this reader's.
bool from_newer_minor(const Header& header) {
  return header.minor_version > kFormatMinorVersion;
}

bool all_zero(const uint8_t* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    if (data[i] != 0) return false;
  }
  return true;
}

void check_magic_and_size(const uint8_t* data, size_t size) {
  if (size == 0) reject(FormatErrorCode::kEmptyFile, "archive is empty (0 bytes)");
  size_t compared = std::min(size, sizeof(kMagic));
  if (std::memcmp(data, kMagic, compared) != 0) {
    reject(FormatErrorCode::kBadMagic,
           "archive does not start with the npujar magic 89 4e 50 55 4a 41 52 0a (found " +
               hex_prefix(data, size) + "); the file is not an npujar archive");
  }
  if (size < kHeaderSize) {
    reject(FormatErrorCode::kTruncated, "archive has " + str(size) +
                                            " bytes, fewer than the 64-byte header; the file "
                                            "is truncated");
  }
}

void check_header(const uint8_t* data, size_t size, const Header& header) {
  if (header.major_version != kFormatMajorVersion) {
    reject(FormatErrorCode::kUnsupportedVersion,
           "archive format version " + str(header.major_version) + "." +
               str(header.minor_version) + " is not supported: this reader reads version " +
               str(kFormatMajorVersion) + ".x; use an npujar release that reads major version " +
               str(header.major_version));
  }
  if (header.header_size < kHeaderSize || header.header_size % 8 != 0 ||
      header.header_size > size) {
    reject(FormatErrorCode::kMalformedHeader,
           "header: header size " + str(header.header_size) +
               " is not a multiple of 8 between 64 and the archive size " + str(size));
  }
  if (!from_newer_minor(header) && !all_zero(data + 48, 8)) {
    reject(FormatErrorCode::kMalformedHeader, "header: reserved bytes 48..55 are not zero");
  }
  uint64_t actual = checksum64(data, 56);
  if (actual != header.header_checksum) {
    reject(FormatErrorCode::kChecksumMismatch, "header: checksum " + hex64(actual) +
                                                   " differs from the stored " +
                                                   hex64(header.header_checksum) +
                                                   "; the header is corrupt");
  }
  if (header.file_size > size) {
    reject(FormatErrorCode::kTruncated, "archive has " + str(size) +
                                            " bytes but its header declares " +
                                            str(header.file_size) + "; the file is truncated");
  }
  if (header.file_size < size) {
    reject(FormatErrorCode::kFileSizeMismatch,
           "archive has " + str(size) + " bytes but its header declares " +
               str(header.file_size) + "; remove the trailing bytes or rewrite the archive");
  }
  if (header.section_entry_size < kSectionEntrySize || header.section_entry_size % 8 != 0 ||
      header.section_entry_size > 4096) {
    reject(FormatErrorCode::kMalformedHeader,
           "header: section entry size " + str(header.section_entry_size) +
               " is not a multiple of 8 between 128 and 4096");
  }
}

void check_table_bounds(const uint8_t* data, size_t size, const Header& header,
                        const ReaderLimits& limits) {
  if (header.section_count == 0) {
    reject(FormatErrorCode::kMissingSection,
           "archive has no sections; every archive needs a 'manifest' section");
  }
  if (header.section_count > limits.max_sections) {
    reject(FormatErrorCode::kLimitExceeded,
           "section table: section count " + str(header.section_count) +
               " exceeds the limit of " + str(limits.max_sections) + " (ReaderLimits::max_sections)");
  }
  uint64_t table_bytes = uint64_t{header.section_count} * header.section_entry_size;
  uint64_t offset = header.section_table_offset;
  if (offset < header.header_size) {
    reject(FormatErrorCode::kSectionOutOfBounds,
           "section table: offset " + str(offset) + " lies inside the " +
               str(header.header_size) + "-byte header");
  }
  if (offset > size || table_bytes > size - offset) {
    reject(FormatErrorCode::kSectionOutOfBounds,
           "section table: offset " + str(offset) + " + " + str(table_bytes) +
               " bytes exceeds archive size " + str(size));
  }
  uint64_t actual = checksum64(data + offset, static_cast<size_t>(table_bytes));
  if (actual != header.section_table_checksum) {
    reject(FormatErrorCode::kChecksumMismatch,
           "section table: checksum " + hex64(actual) + " differs from the stored " +
               hex64(header.section_table_checksum) + "; the section table is corrupt");
  }
}

bool is_valid_name_byte(uint8_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '-' || c == '/';
}

// Names may come from hostile input, so they are checked before they
// appear in any message.
void check_name(const uint8_t* raw, size_t index) {
  std::string where = "sections[" + str(index) + "]";
  size_t length = 0;
  while (length < kMaxSectionNameLength && raw[length] != 0) {
    if (!is_valid_name_byte(raw[length])) {
      reject(FormatErrorCode::kMalformedSectionTable,
             where + ": name byte " + str(length) + " is " + hex_prefix(raw + length, 1) +
                 "; names use only A-Z a-z 0-9 . _ - /");
    }
    ++length;
  }
  if (length == 0) reject(FormatErrorCode::kMalformedSectionTable, where + ": name is empty");
  if (!all_zero(raw + length, kMaxSectionNameLength - length)) {
    reject(FormatErrorCode::kMalformedSectionTable,
           where + ": name padding after the terminating zero byte is not zero");
  }
}

void check_entry(const uint8_t* raw, const SectionEntry& entry,
                 const Header& header, size_t size, const ReaderLimits& limits) {
  std::string where = "section '" + entry.name + "'";
  // Bytes past 128 belong to later minor versions and are never checked.
  if (!from_newer_minor(header) && !all_zero(raw + 96, kSectionEntrySize - 96)) {
    reject(FormatErrorCode::kMalformedSectionTable,
           where + ": reserved bytes 96..127 of its table entry are not zero");
  }
  if (!from_newer_minor(header) && (entry.flags & ~kSectionFlagRequired) != 0) {
    reject(FormatErrorCode::kMalformedSectionTable,
           where + ": flags " + hex64(entry.flags) + " set reserved bits (only bit 0 is defined)");
  }
  if (entry.alignment < kMinSectionAlignment || entry.alignment > kMaxSectionAlignment ||
      (entry.alignment & (entry.alignment - 1)) != 0) {
    reject(FormatErrorCode::kMalformedSectionTable,
           where + ": alignment " + str(entry.alignment) +
               " is not a power of two between 64 and 4096");
  }
  if (entry.offset % entry.alignment != 0) {
    reject(FormatErrorCode::kMalformedSectionTable,
           where + ": offset " + str(entry.offset) + " is not a multiple of its alignment " +
               str(entry.alignment));
  }
  if (entry.offset < header.header_size) {
    reject(FormatErrorCode::kSectionOutOfBounds,
           where + ": offset " + str(entry.offset) + " lies inside the " +
               str(header.header_size) + "-byte header");
  }
  if (entry.offset > size) {
    reject(FormatErrorCode::kSectionOutOfBounds,
           where + ": offset " + str(entry.offset) + " exceeds archive size " + str(size));
  }
  if (entry.stored_size > size - entry.offset) {
    reject(FormatErrorCode::kSectionOutOfBounds,
           where + ": offset " + str(entry.offset) + " + stored size " +
               str(entry.stored_size) + " exceeds archive size " + str(size));
  }
  if (entry.raw_size > limits.max_section_raw_bytes) {
    reject(FormatErrorCode::kLimitExceeded,
           where + ": raw size " + str(entry.raw_size) + " exceeds the limit of " +
               str(limits.max_section_raw_bytes) + " bytes (ReaderLimits::max_section_raw_bytes)");
  }

  bool known_compression = is_known_compression(entry.compression);
  if (!known_compression && entry.required()) {
    reject(FormatErrorCode::kUnsupportedCompression,
           where + ": compression " + compression_name(entry.compression) +
               " is not supported by this reader and the section is required");
  }
  if (entry.compression == static_cast<uint32_t>(Compression::kNone) &&
      entry.stored_size != entry.raw_size) {
    reject(FormatErrorCode::kMalformedSectionTable,
           where + ": uncompressed section has stored size " + str(entry.stored_size) +
               " but raw size " + str(entry.raw_size) + "; they must be equal");
  }
  if (!is_known_section_kind(entry.kind) && entry.required()) {
    reject(FormatErrorCode::kUnknownRequiredSection,
           where + ": kind " + str(entry.kind) + " is unknown to this reader (format " +
               str(kFormatMajorVersion) + "." + str(kFormatMinorVersion) +
               ") and the section is marked required; use a newer npujar");
  }
}

void check_duplicates(const std::vector<SectionEntry>& entries) {
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < entries.size(); ++i) {
    auto [it, inserted] = seen.emplace(entries[i].name, i);
    if (!inserted) {
      reject(FormatErrorCode::kDuplicateSection,
             "section '" + entries[i].name + "' appears twice in the section table (entries " +
                 str(it->second) + " and " + str(i) + ")");
    }
  }
}

struct ByteRange {
  uint64_t begin;
  uint64_t end;  // exclusive
  std::string label;
};

void check_overlaps(const std::vector<SectionEntry>& entries, const Header& header) {
  std::vector<ByteRange> ranges;
  uint64_t table_end =
      header.section_table_offset + uint64_t{header.section_count} * header.section_entry_size;
  ranges.push_back({header.section_table_offset, table_end, "the section table"});
  for (const SectionEntry& entry : entries) {
    if (entry.stored_size == 0) continue;  // an empty section occupies no bytes
    ranges.push_back({entry.offset, entry.offset + entry.stored_size,
                      "section '" + entry.name + "'"});
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < ranges.size(); ++i) {
    const ByteRange& previous = ranges[i - 1];
    const ByteRange& current = ranges[i];
    if (current.begin < previous.end) {
      reject(FormatErrorCode::kOverlappingSections,
             previous.label + " (bytes " + str(previous.begin) + ".." + str(previous.end) +
                 ") and " + current.label + " (bytes " + str(current.begin) + ".." +
                 str(current.end) + ") overlap");
    }
  }
}

}  // namespace

ValidatedLayout validate_layout(const uint8_t* data, size_t size, const ReaderLimits& limits) {
  check_magic_and_size(data, size);

  ValidatedLayout layout;
  layout.header = decode_header(data);
  check_header(data, size, layout.header);
  check_table_bounds(data, size, layout.header, limits);

  const uint8_t* table = data + layout.header.section_table_offset;
  for (uint32_t i = 0; i < layout.header.section_count; ++i) {
    const uint8_t* raw = table + uint64_t{i} * layout.header.section_entry_size;
    check_name(raw, i);
    SectionEntry entry = decode_section_entry(raw);
    check_entry(raw, entry, layout.header, size, limits);
    layout.entries.push_back(std::move(entry));
  }

  check_duplicates(layout.entries);
  check_overlaps(layout.entries, layout.header);
  return layout;
}

}  // namespace npujar::format::detail
