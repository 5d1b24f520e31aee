// Storage of an ArchiveReader's bytes: a read-only memory mapping of a
// file, an aligned private copy, or a caller's borrowed buffer. Private to
// the format library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace npujar::format::detail {

// Heap memory aligned to `alignment` (a power of two), freed with free().
struct FreeDeleter {
  void operator()(uint8_t* pointer) const;
};
using AlignedBytes = std::unique_ptr<uint8_t[], FreeDeleter>;
AlignedBytes allocate_aligned(size_t size, size_t alignment);

class ArchiveStorage {
 public:
  // NOTE: a mapped file that another process truncates while it is mapped
  // makes reads past the new end raise SIGBUS; the writer's atomic rename
  // never truncates a published archive.
  static ArchiveStorage map_file(const std::string& path);
  static ArchiveStorage copy(const void* data, size_t size);
  static ArchiveStorage borrow(const void* data, size_t size);

  ArchiveStorage(ArchiveStorage&& other) noexcept;
  ArchiveStorage& operator=(ArchiveStorage&& other) = delete;
  ArchiveStorage(const ArchiveStorage&) = delete;
  ~ArchiveStorage();

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  ArchiveStorage() = default;

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  void* mapping_ = nullptr;  // owned mmap region, or nullptr
  AlignedBytes copy_;
};

}  // namespace npujar::format::detail
