// Lays out an archive: header, then each section at the next multiple of
// its alignment (zero padding between), then the section table aligned to
// 8 bytes. The manifest section comes first so that a consumer of a stream
// (for example a download in progress) can read it early.
#include "npujar/format/writer.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <set>

namespace npujar::format {
namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw FormatError(FormatErrorCode::kInvalidArgument, message);
}

bool is_valid_section_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxSectionNameLength) return false;
  for (char c : name) {
    bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '-' || c == '/';
    if (!allowed) return false;
  }
  return true;
}

uint64_t align_up(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

std::vector<uint8_t> compress_zstd(const std::string& name, const std::vector<uint8_t>& raw,
                                   int level) {
  std::vector<uint8_t> stored(ZSTD_compressBound(raw.size()));
  size_t size = ZSTD_compress(stored.data(), stored.size(), raw.data(), raw.size(), level);
  if (ZSTD_isError(size)) {
    invalid("section '" + name + "': zstd compression failed: " + ZSTD_getErrorName(size));
  }
  stored.resize(size);
  return stored;
}

void check_manifest_sections(const Manifest& manifest, const std::set<std::string>& names) {
  auto require = [&](const std::string& section, const std::string& field) {
    if (names.count(section) == 0) {
      invalid("manifest " + field + " names section '" + section +
              "', which was not added to the archive");
    }
  };
  require(manifest.graph_section, "graph_section");
  if (!manifest.weights_section.empty()) require(manifest.weights_section, "weights_section");
  for (const Variant& variant : manifest.variants) {
    for (const std::string& section : variant.sections) {
      require(section, "variant '" + variant.name + "'");
    }
  }
}

std::string system_error(const std::string& action, const std::string& path) {
  return "cannot " + action + " '" + path + "': " + std::strerror(errno);
}

}  // namespace

void ArchiveWriter::add_section(const std::string& name, SectionKind kind,
                                std::vector<uint8_t> bytes, const SectionOptions& options) {
  add_section(name, static_cast<uint32_t>(kind), std::move(bytes), options);
}

void ArchiveWriter::add_section(const std::string& name, uint32_t kind, std::vector<uint8_t> bytes,
                                const SectionOptions& options) {
  if (!is_valid_section_name(name)) {
    invalid("section name '" + name +
            "' is invalid; use 1 to 48 bytes of A-Z a-z 0-9 . _ - /");
  }
  if (name == kManifestSectionName) {
    invalid("section name 'manifest' is reserved; set the manifest with set_manifest");
  }
  for (const PendingSection& section : sections_) {
    if (section.name == name) invalid("section '" + name + "' was already added");
  }
  uint32_t alignment = options.alignment;
  if (alignment < kMinSectionAlignment || alignment > kMaxSectionAlignment ||
      (alignment & (alignment - 1)) != 0) {
    invalid("section '" + name + "': alignment " + std::to_string(alignment) +
            " is not a power of two between 64 and 4096");
  }
  if (!is_known_compression(static_cast<uint32_t>(options.compression))) {
    invalid("section '" + name + "': compression " +
            compression_name(static_cast<uint32_t>(options.compression)) + " is not supported");
  }
  sections_.push_back(PendingSection{name, kind, std::move(bytes), options});
}

void ArchiveWriter::set_manifest(const Manifest& manifest) {
  manifest_text_ = emit_manifest(manifest);
  manifest_ = manifest;
  has_manifest_ = true;
  manifest_is_structured_ = true;
}

void ArchiveWriter::set_manifest_text(std::string yaml_text) {
  manifest_text_ = std::move(yaml_text);
  has_manifest_ = true;
  manifest_is_structured_ = false;
}

std::vector<uint8_t> ArchiveWriter::write_to_buffer() const {
  if (!has_manifest_) invalid("the archive has no manifest; call set_manifest before writing");
  if (manifest_is_structured_) {
    std::set<std::string> names;
    for (const PendingSection& section : sections_) names.insert(section.name);
    check_manifest_sections(manifest_, names);
  }

  // Entries and stored bytes, manifest first.
  std::vector<SectionEntry> entries;
  std::vector<std::vector<uint8_t>> compressed;
  std::vector<const std::vector<uint8_t>*> stored;
  std::vector<uint8_t> manifest_bytes(manifest_text_.begin(), manifest_text_.end());
  compressed.reserve(sections_.size());

  SectionEntry manifest_entry;
  manifest_entry.name = kManifestSectionName;
  manifest_entry.kind = static_cast<uint32_t>(SectionKind::kManifest);
  manifest_entry.flags = kSectionFlagRequired;
  manifest_entry.raw_size = manifest_bytes.size();
  manifest_entry.stored_size = manifest_bytes.size();
  manifest_entry.compression = static_cast<uint32_t>(Compression::kNone);
  manifest_entry.checksum = checksum64(manifest_bytes.data(), manifest_bytes.size());
  entries.push_back(manifest_entry);
  stored.push_back(&manifest_bytes);

  for (const PendingSection& section : sections_) {
    SectionEntry entry;
    entry.name = section.name;
    entry.kind = section.kind;
    entry.flags = section.options.required ? kSectionFlagRequired : 0;
    entry.raw_size = section.bytes.size();
    entry.compression = static_cast<uint32_t>(section.options.compression);
    entry.alignment = section.options.alignment;
    entry.checksum = checksum64(section.bytes.data(), section.bytes.size());
    if (section.options.compression == Compression::kZstd) {
      compressed.push_back(compress_zstd(section.name, section.bytes, section.options.zstd_level));
      stored.push_back(&compressed.back());
    } else {
      stored.push_back(&section.bytes);
    }
    entry.stored_size = stored.back()->size();
    entries.push_back(entry);
  }

  uint64_t cursor = kHeaderSize;
  for (SectionEntry& entry : entries) {
    entry.offset = align_up(cursor, entry.alignment);
    cursor = entry.offset + entry.stored_size;
  }
  uint64_t table_offset = align_up(cursor, 8);
  uint64_t file_size = table_offset + entries.size() * kSectionEntrySize;

  std::vector<uint8_t> archive(file_size, 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!stored[i]->empty()) {
      std::memcpy(archive.data() + entries[i].offset, stored[i]->data(), stored[i]->size());
    }
    encode_section_entry(entries[i], archive.data() + table_offset + i * kSectionEntrySize);
  }

  Header header;
  header.section_table_offset = table_offset;
  header.section_count = static_cast<uint32_t>(entries.size());
  header.file_size = file_size;
  encode_header(header, archive.data());
  reseal_archive(archive.data(), archive.size());
  return archive;
}

void ArchiveWriter::write_to_file(const std::string& path) const {
  std::vector<uint8_t> archive = write_to_buffer();

  // The temporary file sits next to the target so that rename() stays on
  // one file system and is atomic.
  std::random_device random;
  std::string temp_path = path + ".tmp-" + std::to_string(getpid()) + "-" +
                          std::to_string(random());
  int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw FormatError(FormatErrorCode::kIoError, system_error("create", temp_path));

  size_t written = 0;
  while (written < archive.size()) {
    ssize_t result = ::write(fd, archive.data() + written, archive.size() - written);
    if (result < 0 && errno == EINTR) continue;
    if (result <= 0) {
      std::string message = system_error("write", temp_path);
      ::close(fd);
      ::unlink(temp_path.c_str());
      throw FormatError(FormatErrorCode::kIoError, message);
    }
    written += static_cast<size_t>(result);
  }
  bool synced = ::fsync(fd) == 0;
  std::string message = synced ? std::string() : system_error("flush", temp_path);
  if (::close(fd) != 0 && synced) {
    synced = false;
    message = system_error("close", temp_path);
  }
  if (!synced) {
    ::unlink(temp_path.c_str());
    throw FormatError(FormatErrorCode::kIoError, message);
  }
  if (::rename(temp_path.c_str(), path.c_str()) != 0) {
    std::string message = system_error("rename the temporary file to", path);
    ::unlink(temp_path.c_str());
    throw FormatError(FormatErrorCode::kIoError, message);
  }
}

}  // namespace npujar::format
