// Open-time validation of an archive's header and section table. Private
// to the format library; ArchiveReader calls it before reading any section.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "npujar/format/layout.h"
#include "npujar/format/reader.h"

namespace npujar::format::detail {

struct ValidatedLayout {
  Header header;
  std::vector<SectionEntry> entries;
};

// Checks, in this order, and raises FormatError at the first failure:
// size and magic, version, header fields and checksum, declared file size,
// section table bounds and checksum, each entry, duplicate names, overlaps.
ValidatedLayout validate_layout(const uint8_t* data, size_t size, const ReaderLimits& limits);

}  // namespace npujar::format::detail
