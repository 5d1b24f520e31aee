// Writes the seed corpus of the archive reader's fuzz target: valid
// archives of several shapes and near-valid ones that stop at each layer of
// the reader's checks, so the fuzzer starts from inputs that reach deep.
//
//   npujar_make_format_corpus OUTPUT_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "archive_fixture.h"

namespace {

using namespace npujar::format;
using namespace npujar::format::testing;

void write(const std::filesystem::path& dir, const std::string& name,
           const std::vector<uint8_t>& bytes) {
  std::ofstream out(dir / name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> small_full_archive() {
  ArchiveWriter writer;
  SectionOptions zstd;
  zstd.compression = Compression::kZstd;
  SectionOptions optional;
  optional.required = false;
  writer.add_section("graph", SectionKind::kGraph, pattern_bytes(200, 1), zstd);
  writer.add_section("weights", SectionKind::kWeights, pattern_bytes(300, 2));
  writer.add_section("code/cpu-x86-64-v3", SectionKind::kObject, pattern_bytes(50, 3));
  writer.add_section("code/npu-intel", SectionKind::kDeviceBlob, pattern_bytes(40, 4), zstd);
  writer.add_section("future", 0x20000u, pattern_bytes(10, 5), optional);
  Manifest manifest = full_manifest();
  std::vector<uint8_t> graph = pattern_bytes(200, 1);
  std::vector<uint8_t> weights = pattern_bytes(300, 2);
  manifest.model.content_hash =
      compute_content_hash(graph.data(), graph.size(), weights.data(), weights.size());
  manifest.unknown_keys = {{"extension", "{a: [1, 2]}"}};
  writer.set_manifest(manifest);
  return writer.write_to_buffer();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);

  std::vector<uint8_t> minimal = minimal_archive();
  std::vector<uint8_t> full = small_full_archive();
  write(dir, "valid-minimal.npujar", minimal);
  write(dir, "valid-full.npujar", full);

  std::vector<uint8_t> truncated(minimal.begin(), minimal.begin() + 40);
  write(dir, "truncated-header.npujar", truncated);

  std::vector<uint8_t> unresealed = minimal;
  store_le(unresealed, kHeaderSectionCountOffset, 4, 3);
  write(dir, "bad-header-checksum.npujar", unresealed);

  std::vector<uint8_t> newer_major = minimal;
  store_le(newer_major, kHeaderMajorOffset, 2, 2);
  reseal_archive(newer_major.data(), newer_major.size());
  write(dir, "newer-major.npujar", newer_major);

  std::vector<uint8_t> overlapping = full;
  set_entry_field(overlapping, "weights", kEntryOffsetOffset, 8,
                  entry_field(overlapping, "graph", kEntryOffsetOffset, 8));
  reseal_archive(overlapping.data(), overlapping.size());
  write(dir, "overlapping.npujar", overlapping);

  std::vector<uint8_t> bad_zstd_size = full;
  set_entry_field(bad_zstd_size, "graph", kEntryRawSizeOffset, 8, 150);
  reseal_archive(bad_zstd_size.data(), bad_zstd_size.size());
  write(dir, "zstd-size-mismatch.npujar", bad_zstd_size);

  std::vector<uint8_t> corrupt_weights = full;
  corrupt_weights[entry_field(full, "weights", kEntryOffsetOffset, 8)] ^= 1;
  write(dir, "weights-checksum.npujar", corrupt_weights);

  ArchiveWriter malformed;
  malformed.add_section("graph", SectionKind::kGraph, bytes_of("g"));
  malformed.set_manifest_text("format_version: '1.0'\nproducer: {name: [x]}\n");
  write(dir, "malformed-manifest.npujar", malformed.write_to_buffer());
  return 0;
}
