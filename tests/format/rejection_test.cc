// Every kind of invalid archive is rejected with its own error code and a
// message naming the section and the values involved, through the file,
// the copied-buffer and the borrowed-buffer paths alike.
#include <gtest/gtest.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>

#include "archive_fixture.h"

namespace npujar::format {
namespace {

using namespace testing;

struct Outcome {
  bool rejected = false;
  FormatErrorCode code = FormatErrorCode::kIoError;
  std::string message;
};

enum class Path { kFile, kCopy, kBorrow };

// Opens `archive` and, when `action` is given, runs it on the reader.
Outcome attempt(const std::vector<uint8_t>& archive, Path path,
                const std::function<void(const ArchiveReader&)>& action = nullptr,
                const ReaderLimits& limits = {}) {
  Outcome outcome;
  std::string file = (std::filesystem::temp_directory_path() /
                      ("npujar-rejection-" + std::to_string(getpid()) + ".npujar"))
                         .string();
  try {
    if (path == Path::kFile) {
      std::ofstream(file, std::ios::binary)
          .write(reinterpret_cast<const char*>(archive.data()),
                 static_cast<std::streamsize>(archive.size()));
      ArchiveReader reader = ArchiveReader::open_file(file, limits);
      if (action) action(reader);
    } else {
      ArchiveReader reader = ArchiveReader::open_buffer(
          archive.data(), archive.size(),
          path == Path::kCopy ? BufferOwnership::kCopy : BufferOwnership::kBorrow, limits);
      if (action) action(reader);
    }
  } catch (const FormatError& error) {
    outcome.rejected = true;
    outcome.code = error.code();
    outcome.message = error.message();
  }
  std::filesystem::remove(file);
  return outcome;
}

void expect_rejected(const std::vector<uint8_t>& archive, FormatErrorCode code,
                     const std::string& message_part,
                     const std::function<void(const ArchiveReader&)>& action = nullptr,
                     const ReaderLimits& limits = {}) {
  for (Path path : {Path::kFile, Path::kCopy, Path::kBorrow}) {
    SCOPED_TRACE(path == Path::kFile ? "file" : path == Path::kCopy ? "copied buffer"
                                                                     : "borrowed buffer");
    Outcome outcome = attempt(archive, path, action, limits);
    ASSERT_TRUE(outcome.rejected) << "archive was accepted";
    EXPECT_STREQ(error_code_name(outcome.code), error_code_name(code));
    EXPECT_NE(outcome.message.find(message_part), std::string::npos)
        << "message: " << outcome.message;
  }
}

void expect_accepted(const std::vector<uint8_t>& archive,
                     const std::function<void(const ArchiveReader&)>& action = nullptr) {
  for (Path path : {Path::kFile, Path::kCopy, Path::kBorrow}) {
    Outcome outcome = attempt(archive, path, action);
    EXPECT_FALSE(outcome.rejected) << outcome.message;
  }
}

void reseal(std::vector<uint8_t>& archive) { reseal_archive(archive.data(), archive.size()); }

const auto kVerify = [](const ArchiveReader& reader) { reader.verify(); };

TEST(Rejection, EmptyFile) {
  expect_rejected({}, FormatErrorCode::kEmptyFile, "archive is empty (0 bytes)");
}

TEST(Rejection, TruncatedHeader) {
  std::vector<uint8_t> archive = minimal_archive();
  archive.resize(30);
  expect_rejected(archive, FormatErrorCode::kTruncated,
                  "archive has 30 bytes, fewer than the 64-byte header");
}

TEST(Rejection, TruncatedBody) {
  std::vector<uint8_t> archive = minimal_archive();
  size_t full = archive.size();
  archive.resize(full - 10);
  expect_rejected(archive, FormatErrorCode::kTruncated,
                  "archive has " + std::to_string(full - 10) +
                      " bytes but its header declares " + std::to_string(full));
}

TEST(Rejection, TrailingBytes) {
  std::vector<uint8_t> archive = minimal_archive();
  archive.push_back(0);
  expect_rejected(archive, FormatErrorCode::kFileSizeMismatch, "remove the trailing bytes");
}

TEST(Rejection, BadMagic) {
  std::vector<uint8_t> archive = minimal_archive();
  archive[1] = 'X';
  expect_rejected(archive, FormatErrorCode::kBadMagic, "(found 89 58 50 55 4a 41 52 0a)");
  expect_rejected(bytes_of("PK\x03\x04"), FormatErrorCode::kBadMagic, "not an npujar archive");
}

TEST(Rejection, NewerMajorVersion) {
  std::vector<uint8_t> archive = minimal_archive();
  store_le(archive, kHeaderMajorOffset, 2, 2);
  store_le(archive, 10, 2, 3);
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kUnsupportedVersion,
                  "archive format version 2.3 is not supported: this reader reads version 1.x");
}

TEST(Rejection, NewerMinorVersionIsAccepted) {
  std::vector<uint8_t> archive = minimal_archive();
  store_le(archive, 10, 2, 9);
  reseal(archive);
  expect_accepted(archive, kVerify);
}

TEST(Rejection, CorruptHeaderChecksum) {
  std::vector<uint8_t> archive = minimal_archive();
  archive[kHeaderSectionCountOffset + 3] ^= 0x10;  // no reseal
  expect_rejected(archive, FormatErrorCode::kChecksumMismatch, "header: checksum");
}

TEST(Rejection, NonZeroReservedHeaderBytes) {
  std::vector<uint8_t> archive = minimal_archive();
  archive[50] = 1;
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kMalformedHeader, "reserved bytes 48..55");
}

TEST(Rejection, CorruptSectionTableChecksum) {
  std::vector<uint8_t> archive = minimal_archive();
  set_entry_field(archive, "graph", kEntryChecksumOffset, 1, 0x55);  // no reseal
  expect_rejected(archive, FormatErrorCode::kChecksumMismatch, "section table: checksum");
}

TEST(Rejection, SectionTablePastEnd) {
  std::vector<uint8_t> archive = minimal_archive();
  store_le(archive, kHeaderSectionCountOffset, 4, 3);
  // The checksum cannot be computed over bytes that do not exist, so only
  // the header checksum is refreshed.
  store_le(archive, 56, 8, XXH3_64bits(archive.data(), 56));
  expect_rejected(archive, FormatErrorCode::kSectionOutOfBounds,
                  "section table: offset " +
                      std::to_string(load_le(archive, kHeaderTableOffsetOffset, 8)) + " + 384 bytes exceeds archive size " +
                      std::to_string(archive.size()));
}

TEST(Rejection, SectionPastEndOfFile) {
  std::vector<uint8_t> archive = minimal_archive();
  uint64_t past_end = (archive.size() / 64 + 1) * 64;
  set_entry_field(archive, "graph", kEntryOffsetOffset, 8, past_end);
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kSectionOutOfBounds,
                  "section 'graph': offset " + std::to_string(past_end) +
                      " exceeds archive size " + std::to_string(archive.size()));
}

TEST(Rejection, SectionSizeOverflowingOffset) {
  std::vector<uint8_t> archive = minimal_archive();
  set_entry_field(archive, "graph", kEntryStoredSizeOffset, 8, ~uint64_t{0} - 32);
  set_entry_field(archive, "graph", kEntryRawSizeOffset, 8, ~uint64_t{0} - 32);
  reseal(archive);
  ReaderLimits no_size_limit;
  no_size_limit.max_section_raw_bytes = ~uint64_t{0};
  expect_rejected(archive, FormatErrorCode::kSectionOutOfBounds, "section 'graph': offset",
                  nullptr, no_size_limit);
}

TEST(Rejection, SectionInsideHeader) {
  std::vector<uint8_t> archive = minimal_archive();
  set_entry_field(archive, "graph", kEntryOffsetOffset, 8, 0);
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kSectionOutOfBounds,
                  "section 'graph': offset 0 lies inside the 64-byte header");
}

TEST(Rejection, OverlappingSections) {
  std::vector<uint8_t> archive = minimal_archive();
  uint64_t manifest_offset = entry_field(archive, "manifest", kEntryOffsetOffset, 8);
  set_entry_field(archive, "graph", kEntryOffsetOffset, 8, manifest_offset);
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kOverlappingSections, "overlap");
  expect_rejected(archive, FormatErrorCode::kOverlappingSections, "section 'graph' (bytes");
}

TEST(Rejection, SectionOverlappingTable) {
  std::vector<uint8_t> archive = minimal_archive();
  uint64_t table = load_le(archive, kHeaderTableOffsetOffset, 8);
  // Aligned to 64 and inside the table's bytes.
  uint64_t inside = (table + 63) / 64 * 64;
  set_entry_field(archive, "graph", kEntryOffsetOffset, 8, inside);
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kOverlappingSections, "the section table (bytes");
}

TEST(Rejection, SectionChecksumMismatchOnAccess) {
  std::vector<uint8_t> archive = minimal_archive();
  uint64_t offset = entry_field(archive, "graph", kEntryOffsetOffset, 8);
  archive[offset] ^= 0x01;  // section data is not covered by the table checksum
  expect_accepted(archive);
  expect_rejected(archive, FormatErrorCode::kChecksumMismatch, "section 'graph': checksum",
                  [](const ArchiveReader& reader) { reader.section_bytes("graph"); });
  expect_rejected(archive, FormatErrorCode::kChecksumMismatch, "section 'graph': checksum",
                  kVerify);
}

TEST(Rejection, SectionChecksumMismatchIsRemembered) {
  std::vector<uint8_t> archive = minimal_archive();
  archive[entry_field(archive, "graph", kEntryOffsetOffset, 8)] ^= 0x01;
  ArchiveReader reader =
      ArchiveReader::open_buffer(archive.data(), archive.size(), BufferOwnership::kBorrow);
  EXPECT_THROW(reader.section_bytes("graph"), FormatError);
  EXPECT_EQ(reader.checksum_state("graph"), ChecksumState::kMismatch);
  EXPECT_THROW(reader.section_bytes("graph"), FormatError);
}

TEST(Rejection, ContentHashMismatch) {
  ArchiveWriter writer = full_writer();
  writer.add_section("extra", SectionKind::kMetadata, {});
  std::vector<uint8_t> archive = writer.write_to_buffer();
  // Replace the weights with other bytes of the same size and refresh their
  // section checksum, so only the model content hash disagrees.
  uint64_t offset = entry_field(archive, "weights", kEntryOffsetOffset, 8);
  std::vector<uint8_t> other = pattern_bytes(10000, 77);
  std::memcpy(&archive[offset], other.data(), other.size());
  set_entry_field(archive, "weights", kEntryChecksumOffset, 8,
                  XXH3_64bits(other.data(), other.size()));
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kChecksumMismatch, "model.content_hash", kVerify);
}

TEST(Rejection, ZstdFrameDeclaringOtherSize) {
  ArchiveWriter writer;
  SectionOptions zstd;
  zstd.compression = Compression::kZstd;
  writer.add_section("graph", SectionKind::kGraph, pattern_bytes(4000, 1), zstd);
  writer.set_manifest(graph_only_manifest());
  std::vector<uint8_t> archive = writer.write_to_buffer();
  set_entry_field(archive, "graph", kEntryRawSizeOffset, 8, 3000);
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kDecompressedSizeMismatch,
                  "section 'graph': zstd frame declares 4000 decompressed bytes but the section "
                  "table declares raw size 3000",
                  [](const ArchiveReader& reader) { reader.section_bytes("graph"); });
}

// A frame without a content size in its header must still be held to the
// declared raw size, in both directions.
std::vector<uint8_t> archive_with_unsized_frame(uint64_t declared_raw_size) {
  std::vector<uint8_t> raw = pattern_bytes(4000, 1);
  ZSTD_CCtx* context = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 0);
  std::vector<uint8_t> frame(ZSTD_compressBound(raw.size()));
  size_t size = ZSTD_compress2(context, frame.data(), frame.size(), raw.data(), raw.size());
  ZSTD_freeCCtx(context);
  frame.resize(size);

  ArchiveWriter writer;
  writer.add_section("graph", SectionKind::kGraph, frame);
  writer.set_manifest(graph_only_manifest());
  std::vector<uint8_t> archive = writer.write_to_buffer();
  set_entry_field(archive, "graph", kEntryCompressionOffset, 4, 1);
  set_entry_field(archive, "graph", kEntryRawSizeOffset, 8, declared_raw_size);
  set_entry_field(archive, "graph", kEntryChecksumOffset, 8, XXH3_64bits(raw.data(), raw.size()));
  reseal(archive);
  return archive;
}

TEST(Rejection, ZstdDataLargerThanDeclared) {
  expect_rejected(archive_with_unsized_frame(1000), FormatErrorCode::kDecompressedSizeMismatch,
                  "zstd data decompresses to more than the declared raw size 1000",
                  [](const ArchiveReader& reader) { reader.section_bytes("graph"); });
}

TEST(Rejection, ZstdDataSmallerThanDeclared) {
  expect_rejected(archive_with_unsized_frame(5000), FormatErrorCode::kDecompressedSizeMismatch,
                  "zstd data decompresses to 4000 bytes but the section table declares raw "
                  "size 5000",
                  [](const ArchiveReader& reader) { reader.section_bytes("graph"); });
}

TEST(Rejection, ZstdUnsizedFrameOfRightSizeIsAccepted) {
  expect_accepted(archive_with_unsized_frame(4000), kVerify);
}

TEST(Rejection, CorruptZstdStream) {
  std::vector<uint8_t> archive = archive_with_unsized_frame(4000);
  uint64_t offset = entry_field(archive, "graph", kEntryOffsetOffset, 8);
  archive[offset + 1] ^= 0xff;  // inside the frame magic
  expect_rejected(archive, FormatErrorCode::kDecompressionFailed, "section 'graph'",
                  [](const ArchiveReader& reader) { reader.section_bytes("graph"); });
}

TEST(Rejection, DecompressionBombOverLimit) {
  std::vector<uint8_t> archive = archive_with_unsized_frame(4000);
  set_entry_field(archive, "graph", kEntryRawSizeOffset, 8, uint64_t{1} << 40);
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kLimitExceeded,
                  "section 'graph': raw size 1099511627776 exceeds the limit of 4294967296");
}

TEST(Rejection, DuplicateSectionNames) {
  ArchiveWriter writer;
  writer.add_section("graph", SectionKind::kGraph, bytes_of("g"));
  writer.add_section("graph2", SectionKind::kGraph, bytes_of("h"));
  writer.set_manifest(graph_only_manifest());
  std::vector<uint8_t> archive = writer.write_to_buffer();
  archive[entry_position(archive, "graph2") + 5] = 0;  // "graph2" becomes "graph"
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kDuplicateSection,
                  "section 'graph' appears twice in the section table (entries 1 and 2)");
}

TEST(Rejection, MalformedManifest) {
  ArchiveWriter writer;
  writer.add_section("graph", SectionKind::kGraph, bytes_of("g"));
  writer.set_manifest_text("format_version: [1.0\n");
  expect_rejected(writer.write_to_buffer(), FormatErrorCode::kMalformedManifest,
                  "manifest: invalid YAML at line");
}

TEST(Rejection, ManifestNamingAbsentSection) {
  ArchiveWriter writer;
  writer.add_section("graph", SectionKind::kGraph, bytes_of("g"));
  writer.set_manifest_text(
      "format_version: '1.0'\nproducer: {name: t}\nmodel: {name: m}\ninputs: []\n"
      "outputs: []\ngraph_section: graph\nvariants:\n  - {name: v, kind: cpu, format: object, "
      "sections: [code/v], abi_version: 1}\n");
  expect_rejected(writer.write_to_buffer(), FormatErrorCode::kMissingSection,
                  "manifest variant 'v' names section 'code/v', which the archive does not "
                  "contain");
}

TEST(Rejection, MissingManifestSection) {
  std::vector<uint8_t> archive = minimal_archive();
  archive[entry_position(archive, "manifest")] = 'M';
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kMissingSection, "no 'manifest' section");
}

TEST(Rejection, UnknownRequiredSection) {
  std::vector<uint8_t> archive = [] {
    ArchiveWriter writer;
    writer.add_section("graph", SectionKind::kGraph, bytes_of("g"));
    writer.add_section("future", 0x1234u, bytes_of("?"));
    writer.set_manifest(graph_only_manifest());
    return writer.write_to_buffer();
  }();
  expect_rejected(archive, FormatErrorCode::kUnknownRequiredSection,
                  "section 'future': kind 4660 is unknown to this reader");
}

TEST(Rejection, UnknownOptionalSectionIsSkipped) {
  ArchiveWriter writer;
  writer.add_section("graph", SectionKind::kGraph, bytes_of("g"));
  SectionOptions optional;
  optional.required = false;
  writer.add_section("future", 0x1234u, bytes_of("?"), optional);
  writer.set_manifest(graph_only_manifest());
  std::vector<uint8_t> archive = writer.write_to_buffer();
  expect_accepted(archive, [](const ArchiveReader& reader) {
    reader.verify();
    const SectionInfo* future = reader.find_section("future");
    if (future == nullptr || future->known_kind) {
      throw FormatError(FormatErrorCode::kIoError, "optional section not listed as unknown");
    }
  });
}

TEST(Rejection, UnknownCompressionOfRequiredSection) {
  std::vector<uint8_t> archive = minimal_archive();
  set_entry_field(archive, "graph", kEntryCompressionOffset, 4, 7);
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kUnsupportedCompression,
                  "section 'graph': compression unknown(7) is not supported");
}

TEST(Rejection, OptionalUnknownCompressionFailsOnAccess) {
  ArchiveWriter writer;
  writer.add_section("graph", SectionKind::kGraph, bytes_of("g"));
  SectionOptions optional;
  optional.required = false;
  writer.add_section("extra", SectionKind::kMetadata, bytes_of("abc"), optional);
  writer.set_manifest(graph_only_manifest());
  std::vector<uint8_t> archive = writer.write_to_buffer();
  set_entry_field(archive, "extra", kEntryCompressionOffset, 4, 7);
  reseal(archive);
  expect_accepted(archive, kVerify);
  expect_rejected(archive, FormatErrorCode::kUnsupportedCompression, "compression unknown(7)",
                  [](const ArchiveReader& reader) { reader.section_bytes("extra"); });
}

TEST(Rejection, MalformedSectionEntries) {
  struct Case {
    const char* label;
    size_t field;
    size_t width;
    uint64_t value;
    const char* message_part;
  };
  std::vector<Case> cases = {
      {"reserved flag bit", kEntryFlagsOffset, 4, 3, "flags 0x0000000000000003 set reserved bits"},
      {"alignment not a power of two", kEntryAlignmentOffset, 4, 96, "alignment 96"},
      {"alignment too small", kEntryAlignmentOffset, 4, 16, "alignment 16"},
      {"alignment too large", kEntryAlignmentOffset, 4, 8192, "alignment 8192"},
      {"stored size differs from raw size", kEntryRawSizeOffset, 8, 12,
       "uncompressed section has stored size 11 but raw size 12"},
      {"reserved entry bytes", 100, 1, 1, "reserved bytes 96..127"},
      {"last reserved entry byte", 127, 1, 1, "reserved bytes 96..127"},
      {"bad name byte", 2, 1, ' ', "name byte 2 is 20"},
      {"name padding", 20, 1, 'x', "name padding"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    std::vector<uint8_t> archive = minimal_archive();
    set_entry_field(archive, "graph", c.field, c.width, c.value);
    reseal(archive);
    expect_rejected(archive, FormatErrorCode::kMalformedSectionTable, c.message_part);
  }
}

TEST(Rejection, NewerMinorMayUseReservedFields) {
  std::vector<uint8_t> archive = minimal_archive();
  store_le(archive, 10, 2, 1);  // minor version 1
  archive[50] = 1;              // header reserved
  set_entry_field(archive, "graph", 100, 1, 1);  // entry reserved
  set_entry_field(archive, "graph", kEntryFlagsOffset, 4, 3);  // flag bit 1
  reseal(archive);
  expect_accepted(archive, kVerify);
}

TEST(Rejection, LongerEntriesOfNewerMinorAreRead) {
  // Rebuild the minimal archive's table with 136-byte entries, as a later
  // minor version that appends a field to each entry would write them.
  std::vector<uint8_t> archive = minimal_archive();
  uint64_t table = load_le(archive, kHeaderTableOffsetOffset, 8);
  std::vector<uint8_t> rebuilt(archive.begin(), archive.begin() + static_cast<long>(table));
  for (size_t i = 0; i < 2; ++i) {
    auto entry = archive.begin() + static_cast<long>(table + i * kEntrySize);
    rebuilt.insert(rebuilt.end(), entry, entry + kEntrySize);
    for (int k = 0; k < 8; ++k) rebuilt.push_back(0xab);  // the appended field
  }
  store_le(rebuilt, 10, 2, 1);
  store_le(rebuilt, 28, 4, 136);
  store_le(rebuilt, kHeaderFileSizeOffset, 8, rebuilt.size());
  reseal(rebuilt);
  expect_accepted(rebuilt, kVerify);
}

TEST(Rejection, MisalignedSectionOffset) {
  std::vector<uint8_t> archive = minimal_archive();
  uint64_t offset = entry_field(archive, "graph", kEntryOffsetOffset, 8);
  set_entry_field(archive, "graph", kEntryOffsetOffset, 8, offset + 8);
  reseal(archive);
  expect_rejected(archive, FormatErrorCode::kMalformedSectionTable,
                  "is not a multiple of its alignment 64");
}

TEST(Rejection, SectionCountOverLimit) {
  ReaderLimits limits;
  limits.max_sections = 1;
  expect_rejected(minimal_archive(), FormatErrorCode::kLimitExceeded,
                  "section count 2 exceeds the limit of 1", nullptr, limits);
}

TEST(Rejection, ManifestOverLimit) {
  ReaderLimits limits;
  limits.max_manifest_bytes = 10;
  expect_rejected(minimal_archive(), FormatErrorCode::kLimitExceeded,
                  "section 'manifest': raw size", nullptr, limits);
}

TEST(Rejection, MissingFileIsIoError) {
  try {
    ArchiveReader::open_file("/nonexistent-npujar/model.npujar");
    FAIL() << "opened a missing file";
  } catch (const FormatError& error) {
    EXPECT_EQ(error.code(), FormatErrorCode::kIoError);
    EXPECT_NE(error.message().find("cannot open '/nonexistent-npujar/model.npujar'"),
              std::string::npos);
  }
}

TEST(Rejection, DirectoryIsIoError) {
  try {
    ArchiveReader::open_file("/tmp");
    FAIL() << "opened a directory";
  } catch (const FormatError& error) {
    EXPECT_EQ(error.code(), FormatErrorCode::kIoError);
  }
}

}  // namespace
}  // namespace npujar::format
