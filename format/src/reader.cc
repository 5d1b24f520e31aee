// ArchiveReader: open-time validation (validate.cc), manifest parsing, and
// lazily verified section access.
//
// Each section has its own state guarded by its own mutex, so threads that
// read different sections do not wait for each other. The state is also
// published through an atomic, so a section that is already verified is
// returned without locking. A failed check is remembered and raised again
// on later calls instead of re-reading the bytes.
#include "npujar/format/reader.h"

#include <zstd.h>
#include <zstd_errors.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>

#include "storage.h"
#include "validate.h"

namespace npujar::format {
namespace {

std::string str(uint64_t value) { return std::to_string(value); }

std::string hex64(uint64_t value) {
  char text[19];
  std::snprintf(text, sizeof(text), "0x%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

struct SectionState {
  std::mutex mutex;
  std::atomic<ChecksumState> state{ChecksumState::kUnverified};
  ByteView view;                       // valid once state is kVerified
  detail::AlignedBytes decompressed;   // owns view's bytes for zstd sections
  std::optional<FormatError> failure;  // set once a check failed
};

struct ArchiveReader::Impl {
  explicit Impl(detail::ArchiveStorage archive) : storage(std::move(archive)) {}

  detail::ArchiveStorage storage;
  ReaderLimits limits;
  Header header;
  std::vector<SectionInfo> sections;
  std::vector<std::unique_ptr<SectionState>> states;
  std::map<std::string, size_t, std::less<>> index_by_name;
  std::string manifest_text;
  Manifest manifest;

  size_t index_of(std::string_view name) const;
  ByteView load(size_t index) const;
  ByteView decode(const SectionEntry& entry, SectionState& state) const;
  void check_manifest_references() const;

  static std::unique_ptr<Impl> open(detail::ArchiveStorage storage, const ReaderLimits& limits);
};

size_t ArchiveReader::Impl::index_of(std::string_view name) const {
  auto it = index_by_name.find(name);
  if (it == index_by_name.end()) {
    throw FormatError(FormatErrorCode::kMissingSection,
                      "section '" + std::string(name) + "' is not in the archive");
  }
  return it->second;
}

ByteView ArchiveReader::Impl::decode(const SectionEntry& entry, SectionState& state) const {
  const uint8_t* stored = storage.data() + entry.offset;
  std::string where = "section '" + entry.name + "'";

  if (entry.compression == static_cast<uint32_t>(Compression::kNone)) {
    return ByteView{stored, static_cast<size_t>(entry.stored_size)};
  }
  if (entry.compression != static_cast<uint32_t>(Compression::kZstd)) {
    throw FormatError(FormatErrorCode::kUnsupportedCompression,
                      where + ": compression " + compression_name(entry.compression) +
                          " is not supported by this reader");
  }

  // The frame header's declared size and the frame's extent are checked
  // before allocating, so a bomb fails without touching memory.
  size_t stored_size = static_cast<size_t>(entry.stored_size);
  size_t frame_size = ZSTD_findFrameCompressedSize(stored, stored_size);
  if (ZSTD_isError(frame_size)) {
    throw FormatError(FormatErrorCode::kDecompressionFailed,
                      where + ": invalid zstd frame: " + ZSTD_getErrorName(frame_size));
  }
  if (frame_size != stored_size) {
    throw FormatError(FormatErrorCode::kDecompressionFailed,
                      where + ": zstd frame ends at byte " + str(frame_size) +
                          " of the stored " + str(stored_size) + "; a section holds one frame");
  }
  unsigned long long declared = ZSTD_getFrameContentSize(stored, stored_size);
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR &&
      declared != entry.raw_size) {
    throw FormatError(FormatErrorCode::kDecompressedSizeMismatch,
                      where + ": zstd frame declares " + str(declared) +
                          " decompressed bytes but the section table declares raw size " +
                          str(entry.raw_size));
  }

  size_t raw_size = static_cast<size_t>(entry.raw_size);
  detail::AlignedBytes buffer = detail::allocate_aligned(raw_size, entry.alignment);
  size_t produced = ZSTD_decompress(buffer.get(), raw_size, stored, stored_size);
  if (ZSTD_isError(produced)) {
    if (ZSTD_getErrorCode(produced) == ZSTD_error_dstSize_tooSmall) {
      throw FormatError(FormatErrorCode::kDecompressedSizeMismatch,
                        where + ": zstd data decompresses to more than the declared raw size " +
                            str(entry.raw_size));
    }
    throw FormatError(FormatErrorCode::kDecompressionFailed,
                      where + ": zstd decompression failed: " + ZSTD_getErrorName(produced));
  }
  if (produced != raw_size) {
    throw FormatError(FormatErrorCode::kDecompressedSizeMismatch,
                      where + ": zstd data decompresses to " + str(produced) +
                          " bytes but the section table declares raw size " + str(raw_size));
  }
  state.decompressed = std::move(buffer);
  return ByteView{state.decompressed.get(), raw_size};
}

ByteView ArchiveReader::Impl::load(size_t index) const {
  SectionState& state = *states[index];
  if (state.state.load(std::memory_order_acquire) == ChecksumState::kVerified) return state.view;

  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.failure) throw *state.failure;
  if (state.state.load(std::memory_order_relaxed) == ChecksumState::kVerified) return state.view;

  const SectionEntry& entry = sections[index].entry;
  try {
    ByteView view = decode(entry, state);
    uint64_t actual = checksum64(view.data, view.size);
    if (actual != entry.checksum) {
      state.state.store(ChecksumState::kMismatch, std::memory_order_release);
      throw FormatError(FormatErrorCode::kChecksumMismatch,
                        "section '" + entry.name + "': checksum " + hex64(actual) +
                            " differs from the stored " + hex64(entry.checksum) +
                            "; the section is corrupt");
    }
    state.view = view;
    state.state.store(ChecksumState::kVerified, std::memory_order_release);
    return view;
  } catch (const FormatError& error) {
    state.decompressed.reset();
    state.failure = error;
    state.state.store(ChecksumState::kMismatch, std::memory_order_release);
    throw;
  }
}

void ArchiveReader::Impl::check_manifest_references() const {
  auto require = [&](const std::string& name, const std::string& field) {
    if (index_by_name.count(name) == 0) {
      throw FormatError(FormatErrorCode::kMissingSection,
                        "manifest " + field + " names section '" + name +
                            "', which the archive does not contain");
    }
  };
  require(manifest.graph_section, "graph_section");
  if (!manifest.weights_section.empty()) require(manifest.weights_section, "weights_section");
  for (const Variant& variant : manifest.variants) {
    for (const std::string& name : variant.sections) {
      require(name, "variant '" + variant.name + "'");
    }
  }
}

ArchiveReader::ArchiveReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ArchiveReader::ArchiveReader(ArchiveReader&&) noexcept = default;
ArchiveReader& ArchiveReader::operator=(ArchiveReader&&) noexcept = default;
ArchiveReader::~ArchiveReader() = default;

ArchiveReader ArchiveReader::open_file(const std::string& path, const ReaderLimits& limits) {
  return ArchiveReader(Impl::open(detail::ArchiveStorage::map_file(path), limits));
}

ArchiveReader ArchiveReader::open_buffer(const void* data, size_t size, BufferOwnership ownership,
                                         const ReaderLimits& limits) {
  detail::ArchiveStorage storage = ownership == BufferOwnership::kCopy
                                       ? detail::ArchiveStorage::copy(data, size)
                                       : detail::ArchiveStorage::borrow(data, size);
  return ArchiveReader(Impl::open(std::move(storage), limits));
}

std::unique_ptr<ArchiveReader::Impl> ArchiveReader::Impl::open(detail::ArchiveStorage storage,
                                                               const ReaderLimits& limits) {
  auto impl = std::make_unique<Impl>(std::move(storage));
  impl->limits = limits;
  detail::ValidatedLayout layout =
      detail::validate_layout(impl->storage.data(), impl->storage.size(), limits);
  impl->header = layout.header;

  for (size_t i = 0; i < layout.entries.size(); ++i) {
    SectionInfo info;
    info.known_kind = is_known_section_kind(layout.entries[i].kind);
    info.entry = std::move(layout.entries[i]);
    impl->index_by_name.emplace(info.entry.name, i);
    impl->sections.push_back(std::move(info));
    impl->states.push_back(std::make_unique<SectionState>());
  }

  auto manifest = impl->index_by_name.find(kManifestSectionName);
  if (manifest == impl->index_by_name.end()) {
    throw FormatError(FormatErrorCode::kMissingSection,
                      "archive has no 'manifest' section; it was not written by npujar pack");
  }
  const SectionEntry& entry = impl->sections[manifest->second].entry;
  if (entry.kind != static_cast<uint32_t>(SectionKind::kManifest)) {
    throw FormatError(FormatErrorCode::kMalformedSectionTable,
                      "section 'manifest': kind is " + section_kind_name(entry.kind) +
                          "; it must be manifest (1)");
  }
  if (entry.raw_size > limits.max_manifest_bytes) {
    throw FormatError(FormatErrorCode::kLimitExceeded,
                      "section 'manifest': raw size " + str(entry.raw_size) +
                          " exceeds the limit of " + str(limits.max_manifest_bytes) +
                          " bytes (ReaderLimits::max_manifest_bytes)");
  }
  ByteView text = impl->load(manifest->second);
  impl->manifest_text.assign(reinterpret_cast<const char*>(text.data), text.size);
  impl->manifest = parse_manifest(impl->manifest_text);
  impl->check_manifest_references();
  return impl;
}

const Header& ArchiveReader::header() const { return impl_->header; }
const Manifest& ArchiveReader::manifest() const { return impl_->manifest; }
const std::string& ArchiveReader::manifest_text() const { return impl_->manifest_text; }
const std::vector<SectionInfo>& ArchiveReader::sections() const { return impl_->sections; }

const SectionInfo* ArchiveReader::find_section(std::string_view name) const {
  auto it = impl_->index_by_name.find(name);
  return it == impl_->index_by_name.end() ? nullptr : &impl_->sections[it->second];
}

ByteView ArchiveReader::section_bytes(std::string_view name) const {
  return impl_->load(impl_->index_of(name));
}

ChecksumState ArchiveReader::checksum_state(std::string_view name) const {
  return impl_->states[impl_->index_of(name)]->state.load(std::memory_order_acquire);
}

void ArchiveReader::verify() const {
  for (size_t i = 0; i < impl_->sections.size(); ++i) {
    const SectionEntry& entry = impl_->sections[i].entry;
    // An optional section in a compression this reader lacks cannot be
    // checked; it is never needed, so it does not fail verification.
    if (!entry.required() && !is_known_compression(entry.compression)) continue;
    impl_->load(i);
  }

  const std::string& expected = impl_->manifest.model.content_hash;
  if (expected.empty()) return;
  ByteView graph = section_bytes(impl_->manifest.graph_section);
  ByteView weights;
  if (!impl_->manifest.weights_section.empty()) {
    weights = section_bytes(impl_->manifest.weights_section);
  }
  std::string actual = compute_content_hash(graph.data, graph.size, weights.data, weights.size);
  if (actual != expected) {
    throw FormatError(FormatErrorCode::kChecksumMismatch,
                      "manifest: model.content_hash " + expected +
                          " differs from the hash of the graph and weights sections " + actual);
  }
}

}  // namespace npujar::format
