// The one error type of the archive format layer. Every rejected input,
// failed check and I/O failure in npujar::format raises FormatError with a
// code from FormatErrorCode and a message that names the section or field
// and the values involved, for example
//   section 'weights': offset 812 exceeds archive size 640
#pragma once

#include <cstdint>
#include <exception>
#include <string>

namespace npujar::format {

// Stable numbers: tools and the runtime may map them one-to-one to their own
// codes, so a value never changes meaning. New codes take the next number.
enum class FormatErrorCode : uint32_t {
  kEmptyFile = 1,                 // zero bytes
  kTruncated = 2,                 // shorter than the header or the declared file size
  kBadMagic = 3,                  // not an npujar archive
  kUnsupportedVersion = 4,        // major version differs from the reader's
  kMalformedHeader = 5,           // header size, reserved field or header checksum wrong
  kMalformedSectionTable = 6,     // bad name, flags, alignment, reserved field or table checksum
  kSectionOutOfBounds = 7,        // a section or the table reaches past the archive or into the header
  kOverlappingSections = 8,       // two sections, or a section and the table, share bytes
  kDuplicateSection = 9,          // two sections with one name
  kChecksumMismatch = 10,         // a section's raw bytes or the model content hash differ
  kUnsupportedCompression = 11,   // compression method the reader does not implement
  kDecompressionFailed = 12,      // the compressed stream is corrupt
  kDecompressedSizeMismatch = 13, // the stream decompresses to another size than declared
  kMalformedManifest = 14,        // YAML syntax, a missing or mistyped field, a bad value
  kUnknownRequiredSection = 15,   // a required section of a kind this reader does not know
  kMissingSection = 16,           // a section the manifest or the caller names is absent
  kLimitExceeded = 17,            // a count or size above ReaderLimits
  kFileSizeMismatch = 18,         // the file is longer than the declared file size
  kInvalidArgument = 19,          // the writer was given an invalid section or manifest
  kIoError = 20,                  // open, stat, mmap, write or rename failed
};

// The identifier used in docs and JSON output, e.g. "checksum_mismatch".
const char* error_code_name(FormatErrorCode code);

class FormatError : public std::exception {
 public:
  FormatError(FormatErrorCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  FormatErrorCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  FormatErrorCode code_;
  std::string message_;
};

}  // namespace npujar::format
