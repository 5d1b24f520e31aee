// Writing and reading archives: round trips through files and buffers, the
// on-disk layout against the specification, writer input checks, and
// concurrent section access.
#include <gtest/gtest.h>
#include <unistd.h>
#include <xxhash.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "archive_fixture.h"

namespace npujar::format {
namespace {

using namespace testing;

std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "npujar-format-XXXXXX").string();
  char* created = mkdtemp(pattern.data());
  return created ? std::filesystem::path(created) : std::filesystem::path();
}

void expect_full_contents(const ArchiveReader& reader) {
  EXPECT_TRUE(reader.manifest() == [] {
    Manifest manifest = full_manifest();
    std::vector<uint8_t> graph = pattern_bytes(5000, 1);
    std::vector<uint8_t> weights = pattern_bytes(10000, 2);
    manifest.model.content_hash =
        compute_content_hash(graph.data(), graph.size(), weights.data(), weights.size());
    return manifest;
  }());

  struct Expected {
    const char* name;
    std::vector<uint8_t> bytes;
    uint32_t alignment;
  };
  std::vector<Expected> expected = {{"graph", pattern_bytes(5000, 1), 64},
                                    {"weights", pattern_bytes(10000, 2), 4096},
                                    {"code/cpu-x86-64-v3", pattern_bytes(700, 3), 64},
                                    {"code/npu-intel", pattern_bytes(300, 4), 64}};
  for (const Expected& section : expected) {
    SCOPED_TRACE(section.name);
    ByteView view = reader.section_bytes(section.name);
    ASSERT_EQ(view.size, section.bytes.size());
    EXPECT_EQ(std::memcmp(view.data, section.bytes.data(), view.size), 0);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(view.data) % section.alignment, 0u);
    EXPECT_EQ(reader.checksum_state(section.name), ChecksumState::kVerified);
  }
  EXPECT_NO_THROW(reader.verify());
}

TEST(Archive, BufferRoundTripKeepsSectionsAndManifest) {
  std::vector<uint8_t> archive = full_archive();
  ArchiveReader reader = ArchiveReader::open_buffer(archive.data(), archive.size(),
                                                    BufferOwnership::kCopy);
  expect_full_contents(reader);
}

TEST(Archive, FileRoundTripLeavesNoTemporaryFile) {
  std::filesystem::path dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  std::string path = (dir / "model.npujar").string();
  full_writer().write_to_file(path);

  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u);

  ArchiveReader reader = ArchiveReader::open_file(path);
  expect_full_contents(reader);
  std::filesystem::remove_all(dir);
}

TEST(Archive, FileMatchesBufferByteForByte) {
  std::filesystem::path dir = make_temp_dir();
  std::string path = (dir / "a.npujar").string();
  full_writer().write_to_file(path);
  std::vector<uint8_t> from_file(std::filesystem::file_size(path));
  FILE* file = std::fopen(path.c_str(), "rb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(std::fread(from_file.data(), 1, from_file.size(), file), from_file.size());
  std::fclose(file);
  EXPECT_EQ(from_file, full_archive());
  std::filesystem::remove_all(dir);
}

TEST(Archive, BorrowedBufferSectionIsZeroCopy) {
  std::vector<uint8_t> archive = full_archive();
  ArchiveReader reader = ArchiveReader::open_buffer(archive.data(), archive.size(),
                                                    BufferOwnership::kBorrow);
  ByteView weights = reader.section_bytes("weights");
  uint64_t offset = entry_field(archive, "weights", kEntryOffsetOffset, 8);
  EXPECT_EQ(weights.data, archive.data() + offset);
}

TEST(Archive, SectionTableEntriesMatchWhatWasWritten) {
  std::vector<uint8_t> archive = full_archive();
  ArchiveReader reader = ArchiveReader::open_buffer(archive.data(), archive.size(),
                                                    BufferOwnership::kCopy);
  const SectionInfo* graph = reader.find_section("graph");
  ASSERT_NE(graph, nullptr);
  EXPECT_EQ(graph->entry.kind, static_cast<uint32_t>(SectionKind::kGraph));
  EXPECT_EQ(graph->entry.compression, static_cast<uint32_t>(Compression::kZstd));
  EXPECT_EQ(graph->entry.raw_size, 5000u);
  EXPECT_LT(graph->entry.stored_size, 5000u);
  EXPECT_TRUE(graph->entry.required());
  EXPECT_TRUE(graph->known_kind);
  std::vector<uint8_t> raw = pattern_bytes(5000, 1);
  EXPECT_EQ(graph->entry.checksum, XXH3_64bits(raw.data(), raw.size()));
  EXPECT_EQ(reader.sections().front().entry.name, "manifest");
  EXPECT_EQ(reader.sections().size(), 5u);
  EXPECT_EQ(reader.find_section("absent"), nullptr);
  EXPECT_EQ(reader.header().file_size, archive.size());
}

// Builds an archive field by field from the specification's tables, with no
// library encoder involved, and checks that the reader accepts it.
TEST(Archive, HandBuiltArchiveFromSpecificationOpens) {
  std::string manifest =
      "format_version: '1.0'\nproducer: {name: hand}\nmodel: {name: m}\n"
      "inputs: []\noutputs: []\ngraph_section: g\n";
  std::vector<uint8_t> graph = bytes_of("0123456789");
  // header 0..63, manifest at 64, graph at 64 + align64(len), table after.
  size_t manifest_offset = 64;
  size_t graph_offset = manifest_offset + (manifest.size() + 63) / 64 * 64;
  size_t table_offset = graph_offset + 64;  // graph is 10 bytes, table 8-aligned
  size_t file_size = table_offset + 2 * 128;
  std::vector<uint8_t> archive(file_size, 0);

  const uint8_t magic[8] = {0x89, 'N', 'P', 'U', 'J', 'A', 'R', '\n'};
  std::memcpy(archive.data(), magic, 8);
  store_le(archive, 8, 2, 1);     // major
  store_le(archive, 10, 2, 0);    // minor
  store_le(archive, 12, 4, 64);   // header size
  store_le(archive, 16, 8, table_offset);
  store_le(archive, 24, 4, 2);    // section count
  store_le(archive, 28, 4, 128);  // entry size
  store_le(archive, 32, 8, file_size);
  std::memcpy(&archive[manifest_offset], manifest.data(), manifest.size());
  std::memcpy(&archive[graph_offset], graph.data(), graph.size());

  struct Entry {
    const char* name;
    uint32_t kind;
    size_t offset;
    size_t size;
    uint64_t checksum;
  };
  Entry entries[2] = {
      {"manifest", 1, manifest_offset, manifest.size(), XXH3_64bits(manifest.data(), manifest.size())},
      {"g", 2, graph_offset, graph.size(), XXH3_64bits(graph.data(), graph.size())}};
  for (size_t i = 0; i < 2; ++i) {
    size_t at = table_offset + i * 128;
    std::memcpy(&archive[at], entries[i].name, std::strlen(entries[i].name));
    store_le(archive, at + 48, 4, entries[i].kind);
    store_le(archive, at + 52, 4, 1);  // required
    store_le(archive, at + 56, 8, entries[i].offset);
    store_le(archive, at + 64, 8, entries[i].size);
    store_le(archive, at + 72, 8, entries[i].size);
    store_le(archive, at + 80, 4, 0);  // no compression
    store_le(archive, at + 84, 4, 64);
    store_le(archive, at + 88, 8, entries[i].checksum);
  }
  store_le(archive, 40, 8, XXH3_64bits(&archive[table_offset], 2 * 128));
  store_le(archive, 56, 8, XXH3_64bits(archive.data(), 56));

  ArchiveReader reader = ArchiveReader::open_buffer(archive.data(), archive.size(),
                                                    BufferOwnership::kCopy);
  EXPECT_EQ(reader.manifest().producer.name, "hand");
  ByteView view = reader.section_bytes("g");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(view.data), view.size), "0123456789");
  EXPECT_NO_THROW(reader.verify());
}

TEST(Archive, WriterPlacesHeaderFieldsAtSpecifiedOffsets) {
  std::vector<uint8_t> archive = minimal_archive();
  EXPECT_EQ(archive[0], 0x89);
  EXPECT_EQ(std::string(archive.begin() + 1, archive.begin() + 8), "NPUJAR\n");
  EXPECT_EQ(load_le(archive, kHeaderMajorOffset, 2), 1u);
  EXPECT_EQ(load_le(archive, kHeaderFileSizeOffset, 8), archive.size());
  EXPECT_EQ(load_le(archive, kHeaderSectionCountOffset, 4), 2u);
  EXPECT_EQ(load_le(archive, 48, 8), 0u);  // reserved
  EXPECT_EQ(load_le(archive, 56, 8), XXH3_64bits(archive.data(), 56));
  uint64_t offset = entry_field(archive, "graph", kEntryOffsetOffset, 8);
  EXPECT_EQ(offset % 64, 0u);
  EXPECT_EQ(std::string(archive.begin() + offset, archive.begin() + offset + 11), "graph-bytes");
}

TEST(Archive, ConcurrentSectionReadsReturnOneView) {
  std::vector<uint8_t> archive = full_archive();
  ArchiveReader reader = ArchiveReader::open_buffer(archive.data(), archive.size(),
                                                    BufferOwnership::kCopy);
  const char* names[] = {"graph", "weights", "code/npu-intel", "code/cpu-x86-64-v3"};
  std::vector<std::thread> threads;
  std::vector<const uint8_t*> seen(8 * 4, nullptr);
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        for (int s = 0; s < 4; ++s) {
          try {
            const uint8_t* data = reader.section_bytes(names[s]).data;
            if (seen[t * 4 + s] != nullptr && seen[t * 4 + s] != data) ++failures;
            seen[t * 4 + s] = data;
          } catch (const FormatError&) {
            ++failures;
          }
        }
        if (round == 0 && t % 2 == 0) reader.verify();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  for (int s = 0; s < 4; ++s) {
    for (int t = 1; t < 8; ++t) EXPECT_EQ(seen[t * 4 + s], seen[s]) << names[s];
  }
}

TEST(Archive, EmptySectionRoundTrips) {
  ArchiveWriter writer;
  writer.add_section("graph", SectionKind::kGraph, {});
  SectionOptions zstd;
  zstd.compression = Compression::kZstd;
  writer.add_section("empty-zstd", SectionKind::kMetadata, {}, zstd);
  Manifest manifest;
  manifest.producer = {"t", ""};
  manifest.model = {"m", ""};
  manifest.graph_section = "graph";
  writer.set_manifest(manifest);
  std::vector<uint8_t> archive = writer.write_to_buffer();
  ArchiveReader reader = ArchiveReader::open_buffer(archive.data(), archive.size(),
                                                    BufferOwnership::kCopy);
  EXPECT_EQ(reader.section_bytes("graph").size, 0u);
  EXPECT_EQ(reader.section_bytes("empty-zstd").size, 0u);
  EXPECT_NO_THROW(reader.verify());
}

FormatErrorCode writer_error(const std::function<void(ArchiveWriter&)>& action) {
  ArchiveWriter writer;
  try {
    action(writer);
  } catch (const FormatError& error) {
    return error.code();
  }
  return FormatErrorCode::kIoError;  // no error: never expected here
}

TEST(ArchiveWriter, RejectsInvalidSections) {
  auto add = [](std::string name, uint32_t alignment) {
    return [name, alignment](ArchiveWriter& writer) {
      SectionOptions options;
      options.alignment = alignment;
      writer.add_section(name, SectionKind::kMetadata, {}, options);
    };
  };
  EXPECT_EQ(writer_error(add("", 64)), FormatErrorCode::kInvalidArgument);
  EXPECT_EQ(writer_error(add(std::string(49, 'a'), 64)), FormatErrorCode::kInvalidArgument);
  EXPECT_EQ(writer_error(add("has space", 64)), FormatErrorCode::kInvalidArgument);
  EXPECT_EQ(writer_error(add("manifest", 64)), FormatErrorCode::kInvalidArgument);
  EXPECT_EQ(writer_error(add("a", 32)), FormatErrorCode::kInvalidArgument);
  EXPECT_EQ(writer_error(add("a", 96)), FormatErrorCode::kInvalidArgument);
  EXPECT_EQ(writer_error(add("a", 8192)), FormatErrorCode::kInvalidArgument);
  EXPECT_EQ(writer_error([](ArchiveWriter& writer) {
              writer.add_section("a", SectionKind::kGraph, {});
              writer.add_section("a", SectionKind::kGraph, {});
            }),
            FormatErrorCode::kInvalidArgument);
}

TEST(ArchiveWriter, RejectsMissingManifestAndDanglingReferences) {
  EXPECT_EQ(writer_error([](ArchiveWriter& writer) { writer.write_to_buffer(); }),
            FormatErrorCode::kInvalidArgument);
  EXPECT_EQ(writer_error([](ArchiveWriter& writer) {
              writer.set_manifest(full_manifest());
              writer.write_to_buffer();
            }),
            FormatErrorCode::kInvalidArgument);
}

TEST(ArchiveWriter, UnwritablePathRaisesIoError) {
  ArchiveWriter writer;
  writer.set_manifest_text("x: 1\n");
  try {
    writer.write_to_file("/nonexistent-dir-npujar/model.npujar");
    FAIL() << "write_to_file succeeded in a missing directory";
  } catch (const FormatError& error) {
    EXPECT_EQ(error.code(), FormatErrorCode::kIoError);
    EXPECT_NE(error.message().find("/nonexistent-dir-npujar/model.npujar"), std::string::npos);
  }
}

}  // namespace
}  // namespace npujar::format
