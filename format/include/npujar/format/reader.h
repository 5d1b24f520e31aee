// Opens a .npujar archive from a file (memory-mapped, read-only) or from a
// buffer, and hands out section bytes.
//
// Archives are untrusted input, so opening validates in layers before
// touching any section. It checks size and magic, version, the header fields
// and checksum, then the section table's bounds and checksum and every entry
// (name, flags, alignment, bounds, overlap, duplicates, limits). Then it
// parses the manifest and checks that the sections it names exist. Other
// sections' checksums are verified lazily on first access, or all at once
// by verify().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "npujar/format/error.h"
#include "npujar/format/layout.h"
#include "npujar/format/manifest.h"

namespace npujar::format {

// Caps the reader enforces on untrusted archives. Exceeding one raises
// kLimitExceeded naming the limit and both values.
struct ReaderLimits {
  uint32_t max_sections = 4096;
  uint64_t max_manifest_bytes = 16ull << 20;
  // Per section, after decompression. Bounds what a decompression bomb can
  // allocate; uncompressed sections are limited by the file size anyway.
  uint64_t max_section_raw_bytes = 4ull << 30;
};

// Whether an ArchiveReader over a caller's buffer copies it or borrows it.
enum class BufferOwnership {
  kCopy,    // the reader copies into its own 4096-byte-aligned memory
  kBorrow,  // the caller keeps the buffer alive and unchanged while the reader lives
};

// A read-only range of bytes owned by the reader; valid while the reader
// lives.
struct ByteView {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

enum class ChecksumState {
  kUnverified,  // not read yet
  kVerified,
  kMismatch,
};

struct SectionInfo {
  SectionEntry entry;
  bool known_kind = false;  // is_known_section_kind(entry.kind)
};

// Every const member function may be called from many threads at once,
// because the header, table and manifest do not change after open and each
// section's lazy state has its own lock. A moved-from reader may only be
// destroyed or assigned to.
class ArchiveReader {
 public:
  // Maps `path` read-only and validates it. Raises kIoError naming the path
  // when it cannot be opened or mapped, and the validation errors above.
  static ArchiveReader open_file(const std::string& path, const ReaderLimits& limits = {});
  // Validates `size` bytes at `data`. Zero-copy views into a borrowed buffer
  // are aligned as the sections require only when `data` is aligned to the
  // largest section alignment (4096 is always enough).
  static ArchiveReader open_buffer(const void* data, size_t size, BufferOwnership ownership,
                                   const ReaderLimits& limits = {});

  ArchiveReader(ArchiveReader&&) noexcept;
  ArchiveReader& operator=(ArchiveReader&&) noexcept;
  ~ArchiveReader();

  const Header& header() const;
  const Manifest& manifest() const;
  const std::string& manifest_text() const;
  // In table order, including sections of unknown kinds.
  const std::vector<SectionInfo>& sections() const;
  // nullptr when absent.
  const SectionInfo* find_section(std::string_view name) const;

  // Returns the raw bytes of section `name`. For an uncompressed section this
  // is a view into the archive, with the entry's alignment when the
  // archive's base is aligned. For a zstd section it is the decompressed
  // bytes, decoded once and cached with the entry's alignment.
  // The checksum is verified on first access. Raises kMissingSection,
  // kChecksumMismatch, kUnsupportedCompression, kDecompressionFailed or
  // kDecompressedSizeMismatch. Safe to call from many threads at once.
  ByteView section_bytes(std::string_view name) const;

  ChecksumState checksum_state(std::string_view name) const;

  // Verifies every section's checksum (decompressing zstd sections) and the
  // manifest's content hash when it has one; raises the first error found.
  // Thread-safe like section_bytes.
  void verify() const;

 private:
  struct Impl;
  explicit ArchiveReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace npujar::format
