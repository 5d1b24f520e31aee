// Which variant of an archive runs on this host, and why.
//
// Policy (docs/runtime.md has the user-facing version):
//  1. A variant is usable when the runtime recognizes its kind and format, it was
//     built for this runtime's model ABI, and the host meets its needs: same
//     architecture and every listed CPU feature for a CPU variant, a
//     matching device and a backend for a device variant. Variants of
//     unknown kinds or formats are skipped with a log line, not an error.
//  2. The device preference keeps only CPU variants (cpu), only one device
//     kind (npu, gpu), or all (auto). The JIT mode drops bitcode (forbid)
//     or everything but bitcode (force).
//  3. Candidates are ranked: NPU variants, then GPU variants, then
//     precompiled CPU objects by the number of CPU features they use (the
//     richest ISA first), then portable bitcode, which is JIT-compiled for
//     the host with all its features. The loader tries them in order and
//     falls back to the next one when one fails to load.
//  4. A forced variant (option or NPUJAR_VARIANT) is the only candidate; it
//     must exist and be usable, otherwise selection fails naming it.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "npujar/format/manifest.h"
#include "npujar/runtime/host_probe.h"
#include "npujar/runtime/options.h"
#include "npujar/runtime/status.h"

namespace npujar::runtime {

enum class LoadAction {
  kLinkObject,  // link a precompiled CPU object
  kJitBitcode,  // compile portable bitcode for the host, then link it
  kDevice,      // hand the variant to a device backend
};

const char* load_action_name(LoadAction action);

struct Candidate {
  const format::Variant* variant = nullptr;
  LoadAction action = LoadAction::kLinkObject;
  std::string reason;  // why it qualifies, for npujar_model_variant_reason
};

struct SkippedVariant {
  std::string name;
  std::string reason;  // e.g. "missing cpu features avx512f avx512bw"
};

struct SelectionInput {
  const CpuInfo* cpu = nullptr;
  // nullptr when Level Zero was not probed; device variants are then skipped.
  const LevelZeroInfo* level_zero = nullptr;
  npujar_jit_mode jit_mode = NPUJAR_JIT_AUTO;
  npujar_device_preference device = NPUJAR_DEVICE_AUTO;
  std::string forced_variant;
  // Variant kinds ("npu", "gpu") that have a backend in this build.
  std::set<std::string> device_backends;
};

struct Selection {
  std::vector<Candidate> candidates;  // best first; never empty on success
  std::vector<SkippedVariant> skipped;
};

// Applies the policy above. Fails with NPUJAR_ERROR_NO_USABLE_VARIANT naming
// every variant and why it was skipped when no candidate remains, and with
// NPUJAR_ERROR_INVALID_ARGUMENT when the forced variant does not exist.
Result<Selection> select_variants(const format::Manifest& manifest, const SelectionInput& input);

// Whether selecting for `manifest` needs the Level Zero probe: true when it
// has a device variant or the preference requests a device.
bool selection_needs_devices(const format::Manifest& manifest, npujar_device_preference device);

}  // namespace npujar::runtime
