// On-disk cache of JIT-compiled objects, so a model's bitcode is compiled
// once per host instead of at every load.
//
// An entry's key hashes everything the compiled code depends on: the
// bitcode's bytes, the model's content hash, the host's CPU name and feature
// string, the target triple, the runtime version and the LLVM version. The
// file <dir>/<key>.o contains a 32-byte header (magic "NPUJARJC", format
// version, payload size, XXH3-64 of the payload) and the object. Entries are
// written to a temporary file in the same directory and renamed into place,
// so readers never see a partial entry. An entry whose header or checksum is
// wrong is logged, deleted and rebuilt by the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "npujar/runtime/jit.h"
#include "npujar/runtime/status.h"

namespace npujar::runtime {

// 32 lowercase hex digits.
std::string jit_cache_key(const uint8_t* bitcode, size_t bitcode_size,
                          const std::string& content_hash, const JitTarget& target);

class JitCache {
 public:
  // An empty `directory` disables the cache: lookups miss, stores do nothing.
  explicit JitCache(std::string directory) : directory_(std::move(directory)) {}

  bool enabled() const { return !directory_.empty(); }
  std::string entry_path(const std::string& key) const;

  // Returns the cached object, or nullopt on a miss. A corrupt entry is
  // logged at warn level, removed and reported as a miss.
  std::optional<std::vector<uint8_t>> load(const std::string& key) const;

  // Stores an object atomically. Creates the directory when missing. A
  // failure (read-only directory, full disk) is returned for the caller to
  // log; it never leaves a partial entry behind.
  Status store(const std::string& key, const std::vector<uint8_t>& object) const;

 private:
  std::string directory_;
};

}  // namespace npujar::runtime
