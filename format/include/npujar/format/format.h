// Everything a user of the archive format needs: errors, layout constants,
// the manifest, the writer and the reader.
#pragma once

#include "npujar/format/error.h"
#include "npujar/format/layout.h"
#include "npujar/format/manifest.h"
#include "npujar/format/reader.h"
#include "npujar/format/writer.h"
