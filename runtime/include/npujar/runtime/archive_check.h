// Consistency checks between an archive's manifest, its graph section and
// its variants. The runtime sizes output buffers and the activation arena
// from the manifest and hands the weights section to compiled code, so it
// runs these checks before it loads any variant; `npujar verify` runs them
// too.
#pragma once

#include <string>

#include "npujar/format/reader.h"
#include "npujar/runtime/status.h"

namespace npujar::runtime {

// Decodes the graph section with the weights section, which checks that
// every constant, packed weights included, lies inside the weights section.
// Then requires the manifest's inputs and outputs to equal the graph's in
// order, name, dtype and shape. Returns NPUJAR_ERROR_INVALID_ARCHIVE naming
// the field and both values on a mismatch.
Status check_manifest_against_graph(const format::ArchiveReader& archive);

// Requires the manifest's arena to be at least what `variant` records in its
// `arena_base_bytes` and `arena_per_symbol_bytes` properties, which code
// generation writes from its memory plan. A variant without these
// properties passes.
Status check_variant_arena(const format::Manifest& manifest, const format::Variant& variant);

}  // namespace npujar::runtime
