#include "npujar/runtime/jit_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>

#include <xxhash.h>

#include "npujar/runtime/log.h"

#ifndef NPUJAR_RUNTIME_VERSION
#define NPUJAR_RUNTIME_VERSION "0.0.0"
#endif

namespace npujar::runtime {
namespace {

constexpr char kMagic[8] = {'N', 'P', 'U', 'J', 'A', 'R', 'J', 'C'};
constexpr uint32_t kEntryVersion = 1;
constexpr size_t kHeaderSize = 32;

void put_u32(uint8_t* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<uint8_t>(value >> (8 * i));
  }
}

void put_u64(uint8_t* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<uint8_t>(value >> (8 * i));
  }
}

uint64_t get_u64(const uint8_t* in) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) {
    value = (value << 8) | in[i];
  }
  return value;
}

uint32_t get_u32(const uint8_t* in) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) {
    value = (value << 8) | in[i];
  }
  return value;
}

std::string system_error(int error) { return std::strerror(error); }

bool write_all(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t count = write(fd, data, size);
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count <= 0) {
      return false;
    }
    data += count;
    size -= static_cast<size_t>(count);
  }
  return true;
}

// Creates `directory` and its parents; succeeds when it already exists.
Status make_directories(const std::string& directory) {
  for (size_t slash = 1; slash <= directory.size(); ++slash) {
    if (slash != directory.size() && directory[slash] != '/') {
      continue;
    }
    std::string prefix = directory.substr(0, slash);
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status(NPUJAR_ERROR_IO,
                    "cannot create JIT cache directory '" + prefix + "': " + system_error(errno));
    }
  }
  return Status::ok();
}

// Returns the reason an entry is invalid, or an empty string.
std::string check_entry(const std::vector<uint8_t>& bytes) {
  if (bytes.size() < kHeaderSize) {
    return "entry has " + std::to_string(bytes.size()) + " bytes, shorter than its header";
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return "entry does not start with the cache magic";
  }
  uint32_t version = get_u32(bytes.data() + 8);
  if (version != kEntryVersion) {
    return "entry version " + std::to_string(version) + ", expected " +
           std::to_string(kEntryVersion);
  }
  uint64_t size = get_u64(bytes.data() + 16);
  if (size != bytes.size() - kHeaderSize) {
    return "entry declares " + std::to_string(size) + " payload bytes but has " +
           std::to_string(bytes.size() - kHeaderSize);
  }
  uint64_t checksum = get_u64(bytes.data() + 24);
  if (XXH3_64bits(bytes.data() + kHeaderSize, size) != checksum) {
    return "entry checksum mismatch";
  }
  return "";
}

}  // namespace

std::string jit_cache_key(const uint8_t* bitcode, size_t bitcode_size,
                          const std::string& content_hash, const JitTarget& target) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  // Each field is followed by a NUL so that no two field lists hash alike.
  auto add = [state](const std::string& field) {
    XXH3_128bits_update(state, field.data(), field.size());
    XXH3_128bits_update(state, "", 1);
  };
  XXH3_128bits_update(state, bitcode, bitcode_size);
  add(content_hash);
  add(target.triple);
  add(target.cpu);
  add(target.features);
  add(target.llvm_version);
  add(NPUJAR_RUNTIME_VERSION);
  XXH128_hash_t hash = XXH3_128bits_digest(state);
  XXH3_freeState(state);

  char text[33];
  std::snprintf(text, sizeof(text), "%016llx%016llx", static_cast<unsigned long long>(hash.high64),
                static_cast<unsigned long long>(hash.low64));
  return text;
}

std::string JitCache::entry_path(const std::string& key) const {
  return directory_ + "/" + key + ".o";
}

std::optional<std::vector<uint8_t>> JitCache::load(const std::string& key) const {
  if (!enabled()) {
    return std::nullopt;
  }
  std::string path = entry_path(key);
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return std::nullopt;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
  std::string problem = check_entry(bytes);
  if (!problem.empty()) {
    log_warn("JIT cache entry '" + path + "' is corrupt (" + problem +
             "); removing it and compiling again");
    std::remove(path.c_str());
    return std::nullopt;
  }
  return std::vector<uint8_t>(bytes.begin() + kHeaderSize, bytes.end());
}

Status JitCache::store(const std::string& key, const std::vector<uint8_t>& object) const {
  if (!enabled()) {
    return Status::ok();
  }
  Status created = make_directories(directory_);
  if (!created) {
    return created;
  }

  uint8_t header[kHeaderSize] = {};
  std::memcpy(header, kMagic, sizeof(kMagic));
  put_u32(header + 8, kEntryVersion);
  put_u64(header + 16, object.size());
  put_u64(header + 24, XXH3_64bits(object.data(), object.size()));

  std::string path = entry_path(key);
  std::random_device random;
  std::string temporary = path + ".tmp." + std::to_string(getpid()) + "." +
                          std::to_string(random());
  int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status(NPUJAR_ERROR_IO,
                  "cannot create JIT cache file '" + temporary + "': " + system_error(errno));
  }

  bool written = write_all(fd, header, kHeaderSize) && write_all(fd, object.data(), object.size());
  int write_error = errno;
  written = written && fsync(fd) == 0;
  close(fd);
  if (!written) {
    unlink(temporary.c_str());
    return Status(NPUJAR_ERROR_IO,
                  "writing JIT cache file '" + temporary + "' failed: " + system_error(write_error));
  }
  if (rename(temporary.c_str(), path.c_str()) != 0) {
    int rename_error = errno;
    unlink(temporary.c_str());
    return Status(NPUJAR_ERROR_IO, "renaming '" + temporary + "' to '" + path +
                                       "' failed: " + system_error(rename_error));
  }
  return Status::ok();
}

}  // namespace npujar::runtime
