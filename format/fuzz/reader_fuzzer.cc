// libFuzzer entry point for the archive reader. Each input is read twice:
// as given, which exercises the header and table checks, and once more with
// every checksum recomputed, so that mutations inside sections (above all
// the manifest YAML) get past the checksums and reach the parsers.
//
// Besides memory errors and undefined behavior, the target aborts when a
// manifest the reader accepted does not survive emit_manifest and
// parse_manifest unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "npujar/format/format.h"

namespace {

using namespace npujar::format;

void store64(uint8_t* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

void read_archive(const uint8_t* data, size_t size) {
  ReaderLimits limits;
  // Small enough that a hostile declared size cannot exhaust the fuzzer's
  // memory limit, large enough for every seed.
  limits.max_section_raw_bytes = 1u << 20;
  limits.max_manifest_bytes = 1u << 16;
  try {
    ArchiveReader reader = ArchiveReader::open_buffer(data, size, BufferOwnership::kBorrow, limits);
    for (const SectionInfo& section : reader.sections()) {
      try {
        ByteView bytes = reader.section_bytes(section.entry.name);
        if (bytes.size != section.entry.raw_size) std::abort();
      } catch (const FormatError&) {
      }
    }
    try {
      reader.verify();
    } catch (const FormatError&) {
    }

    Manifest again = parse_manifest(emit_manifest(reader.manifest()));
    if (!(again == reader.manifest())) std::abort();
  } catch (const FormatError&) {
  }
}

// Recomputes the checksums of uncompressed in-bounds sections, then the
// table and header checksums. Returns false when the layout is too broken
// to locate them.
bool reseal_copy(std::vector<uint8_t>& archive) {
  if (archive.size() < kHeaderSize) return false;
  Header header = decode_header(archive.data());
  if (header.section_entry_size != kSectionEntrySize) return false;
  uint64_t count = header.section_count;
  uint64_t offset = header.section_table_offset;
  if (count > 256 || offset > archive.size() || count * kSectionEntrySize > archive.size() - offset) {
    return false;
  }
  for (uint64_t i = 0; i < count; ++i) {
    uint8_t* raw = archive.data() + offset + i * kSectionEntrySize;
    SectionEntry entry = decode_section_entry(raw);
    if (entry.compression != static_cast<uint32_t>(Compression::kNone)) continue;
    if (entry.offset > archive.size() || entry.stored_size > archive.size() - entry.offset) continue;
    store64(raw + 88, checksum64(archive.data() + entry.offset, entry.stored_size));
  }
  reseal_archive(archive.data(), archive.size());
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  read_archive(data, size);

  std::vector<uint8_t> resealed(data, data + size);
  if (reseal_copy(resealed)) read_archive(resealed.data(), resealed.size());
  return 0;
}
