// Builds a .npujar archive in memory and writes it to a file or a byte
// vector. The writer applies the same rules the reader enforces, so what it
// writes always opens: unique valid names, alignments that are powers of two
// of at least 64, a manifest whose graph, weights and variant sections exist.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "npujar/format/layout.h"
#include "npujar/format/manifest.h"

namespace npujar::format {

struct SectionOptions {
  Compression compression = Compression::kNone;
  // Power of two in [kMinSectionAlignment, kMaxSectionAlignment], that is
  // 64 to 4096. Weights that the runtime reads in place need at least 64;
  // 4096 lets a loader map the section's pages directly.
  uint32_t alignment = kMinSectionAlignment;
  // A reader that does not know the section's kind rejects the archive when
  // this is set and skips the section otherwise.
  bool required = true;
  int zstd_level = 3;  // 1 (fast) .. 19 (small); only for kZstd
};

class ArchiveWriter {
 public:
  // Adds a section. Raises FormatError(kInvalidArgument) for an empty,
  // too long (over kMaxSectionNameLength bytes) or badly formed name (allowed
  // bytes: A-Z a-z 0-9 . _ - /), a duplicate name, the reserved name
  // "manifest", or a bad alignment. `kind` may be any value, so tools can
  // write kinds that are newer than this library.
  void add_section(const std::string& name, SectionKind kind, std::vector<uint8_t> bytes,
                   const SectionOptions& options = {});
  void add_section(const std::string& name, uint32_t kind, std::vector<uint8_t> bytes,
                   const SectionOptions& options = {});

  // Sets the manifest, emitted as YAML when the archive is written.
  void set_manifest(const Manifest& manifest);
  // Stores `yaml_text` as the manifest unchanged and unchecked, for tools
  // that rewrite manifests and for tests of malformed input.
  void set_manifest_text(std::string yaml_text);

  // Serializes the archive. Raises kInvalidArgument when no manifest was
  // set, when a Manifest set with set_manifest names a section that was not
  // added, or when compressing a section fails.
  std::vector<uint8_t> write_to_buffer() const;

  // Writes the archive to `path` through a temporary file in the same
  // directory and a rename, so readers never see a partial archive and a
  // failed write leaves any previous file intact. Raises kIoError naming the
  // path and the system error.
  void write_to_file(const std::string& path) const;

 private:
  struct PendingSection {
    std::string name;
    uint32_t kind;
    std::vector<uint8_t> bytes;
    SectionOptions options;
  };

  std::vector<PendingSection> sections_;
  std::string manifest_text_;
  bool has_manifest_ = false;
  bool manifest_is_structured_ = false;
  Manifest manifest_;
};

}  // namespace npujar::format
