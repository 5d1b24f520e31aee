#include "npujar/format/error.h"

namespace npujar::format {

const char* error_code_name(FormatErrorCode code) {
  switch (code) {
    case FormatErrorCode::kEmptyFile: return "empty_file";
    case FormatErrorCode::kTruncated: return "truncated";
    case FormatErrorCode::kBadMagic: return "bad_magic";
    case FormatErrorCode::kUnsupportedVersion: return "unsupported_version";
    case FormatErrorCode::kMalformedHeader: return "malformed_header";
    case FormatErrorCode::kMalformedSectionTable: return "malformed_section_table";
    case FormatErrorCode::kSectionOutOfBounds: return "section_out_of_bounds";
    case FormatErrorCode::kOverlappingSections: return "overlapping_sections";
    case FormatErrorCode::kDuplicateSection: return "duplicate_section";
    case FormatErrorCode::kChecksumMismatch: return "checksum_mismatch";
    case FormatErrorCode::kUnsupportedCompression: return "unsupported_compression";
    case FormatErrorCode::kDecompressionFailed: return "decompression_failed";
    case FormatErrorCode::kDecompressedSizeMismatch: return "decompressed_size_mismatch";
    case FormatErrorCode::kMalformedManifest: return "malformed_manifest";
    case FormatErrorCode::kUnknownRequiredSection: return "unknown_required_section";
    case FormatErrorCode::kMissingSection: return "missing_section";
    case FormatErrorCode::kLimitExceeded: return "limit_exceeded";
    case FormatErrorCode::kFileSizeMismatch: return "file_size_mismatch";
    case FormatErrorCode::kInvalidArgument: return "invalid_argument";
    case FormatErrorCode::kIoError: return "io_error";
  }
  return "unknown_error";
}

}  // namespace npujar::format
