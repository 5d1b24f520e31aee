#include "storage.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "npujar/format/error.h"

namespace npujar::format::detail {
namespace {

[[noreturn]] void io_error(const std::string& action, const std::string& path, int error) {
  throw FormatError(FormatErrorCode::kIoError,
                    "cannot " + action + " '" + path + "': " + std::strerror(error));
}

}  // namespace

void FreeDeleter::operator()(uint8_t* pointer) const { std::free(pointer); }

AlignedBytes allocate_aligned(size_t size, size_t alignment) {
  // aligned_alloc needs a size that is a multiple of the alignment, and a
  // non-zero one so that the pointer is never null.
  size_t rounded = size == 0 ? alignment : (size + alignment - 1) / alignment * alignment;
  if (rounded < size) throw std::bad_alloc();
  void* pointer = std::aligned_alloc(alignment, rounded);
  if (pointer == nullptr) throw std::bad_alloc();
  return AlignedBytes(static_cast<uint8_t*>(pointer));
}

ArchiveStorage ArchiveStorage::map_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_error("open", path, errno);

  struct stat info;
  if (::fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    io_error("stat", path, error);
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    throw FormatError(FormatErrorCode::kIoError,
                      "cannot read '" + path + "': not a regular file");
  }

  ArchiveStorage storage;
  storage.size_ = static_cast<size_t>(info.st_size);
  if (storage.size_ == 0) {
    // mmap rejects a length of zero; the reader reports the empty archive.
    ::close(fd);
    static const uint8_t kNothing = 0;
    storage.data_ = &kNothing;
    return storage;
  }

  void* mapping = ::mmap(nullptr, storage.size_, PROT_READ, MAP_PRIVATE, fd, 0);
  int error = errno;
  ::close(fd);
  if (mapping == MAP_FAILED) io_error("map", path, error);
  storage.mapping_ = mapping;
  storage.data_ = static_cast<const uint8_t*>(mapping);
  return storage;
}

ArchiveStorage ArchiveStorage::copy(const void* data, size_t size) {
  ArchiveStorage storage;
  // 4096 is kMaxSectionAlignment, so zero-copy views into the copy have the
  // alignment their entries declare.
  storage.copy_ = allocate_aligned(size, 4096);
  if (size > 0) std::memcpy(storage.copy_.get(), data, size);
  storage.data_ = storage.copy_.get();
  storage.size_ = size;
  return storage;
}

ArchiveStorage ArchiveStorage::borrow(const void* data, size_t size) {
  ArchiveStorage storage;
  storage.data_ = static_cast<const uint8_t*>(data);
  storage.size_ = size;
  return storage;
}

ArchiveStorage::ArchiveStorage(ArchiveStorage&& other) noexcept
    : data_(other.data_), size_(other.size_), mapping_(other.mapping_),
      copy_(std::move(other.copy_)) {
  other.mapping_ = nullptr;
  other.data_ = nullptr;
  other.size_ = 0;
}

ArchiveStorage::~ArchiveStorage() {
  if (mapping_ != nullptr) ::munmap(mapping_, size_);
}

}  // namespace npujar::format::detail
