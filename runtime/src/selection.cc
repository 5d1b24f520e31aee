#include "npujar/runtime/selection.h"

#include <algorithm>
#include <optional>
#include <sstream>

#include "npujar_model_abi.h"

namespace npujar::runtime {
namespace {

constexpr int kTierNpu = 0;
constexpr int kTierGpu = 1;
constexpr int kTierCpuObject = 2;
constexpr int kTierBitcode = 3;

struct Ranked {
  Candidate candidate;
  int tier = 0;
  size_t feature_count = 0;
};

std::string join(const std::vector<std::string>& words, const char* separator) {
  std::string text;
  for (size_t i = 0; i < words.size(); ++i) {
    text += (i > 0 ? separator : "") + words[i];
  }
  return text;
}

std::string hex(uint32_t value) {
  std::ostringstream text;
  text << "0x" << std::hex << value;
  return text.str();
}

bool device_matches(const DeviceInfo& device, DeviceType type,
                    const std::optional<format::DeviceRequirement>& requirement) {
  if (device.type != type) {
    return false;
  }
  if (!requirement) {
    return true;
  }
  return (requirement->vendor_id == 0 || requirement->vendor_id == device.vendor_id) &&
         (requirement->device_id == 0 || requirement->device_id == device.device_id);
}

// Checks a device variant; returns the skip reason or nullopt when usable.
std::optional<std::string> check_device_variant(const format::Variant& variant,
                                                const SelectionInput& input, Ranked& ranked) {
  DeviceType type = variant.kind == "npu" ? DeviceType::kNpu : DeviceType::kGpu;
  if (input.device_backends.count(variant.kind) == 0) {
    return "this runtime has no " + variant.kind + " backend";
  }
  if (input.level_zero == nullptr || input.level_zero->state != LevelZeroState::kReady) {
    return "no " + variant.kind + " device: Level Zero " +
           (input.level_zero != nullptr ? describe_level_zero(*input.level_zero)
                                        : std::string("devices were not probed"));
  }
  for (const DeviceInfo& device : input.level_zero->devices) {
    if (device_matches(device, type, variant.device)) {
      ranked.tier = type == DeviceType::kNpu ? kTierNpu : kTierGpu;
      ranked.candidate.action = LoadAction::kDevice;
      ranked.candidate.reason = "host has " + variant.kind + " '" + device.name + "' (vendor " +
                                hex(device.vendor_id) + ", device " + hex(device.device_id) + ")";
      return std::nullopt;
    }
  }
  std::string wanted = variant.kind;
  if (variant.device) {
    wanted += " with vendor " + hex(variant.device->vendor_id) + " and device " +
              hex(variant.device->device_id);
  }
  return "no matching device: the variant needs a " + wanted;
}

// Checks a CPU variant; returns the skip reason or nullopt when usable.
std::optional<std::string> check_cpu_variant(const format::Variant& variant,
                                             const SelectionInput& input, Ranked& ranked) {
  if (variant.format != "object" && variant.format != "bitcode") {
    return "unknown format '" + variant.format + "' for a cpu variant";
  }
  if (variant.arch != input.cpu->arch) {
    return "built for arch '" + variant.arch + "', host is " + input.cpu->arch;
  }

  if (variant.format == "bitcode") {
    ranked.tier = kTierBitcode;
    ranked.candidate.action = LoadAction::kJitBitcode;
    ranked.candidate.reason = "portable bitcode, JIT-compiled for host cpu " +
                              input.cpu->cpu_name + " with all " +
                              std::to_string(input.cpu->features.size()) + " of its features";
    return std::nullopt;
  }

  std::vector<std::string> missing;
  for (const std::string& feature : variant.cpu_features) {
    if (!input.cpu->has_feature(feature)) {
      missing.push_back(feature);
    }
  }
  if (!missing.empty()) {
    return "host lacks cpu features " + join(missing, " ");
  }
  ranked.tier = kTierCpuObject;
  ranked.feature_count = variant.cpu_features.size();
  ranked.candidate.action = LoadAction::kLinkObject;
  ranked.candidate.reason = variant.cpu_features.empty()
                                ? std::string("needs no cpu features beyond the base ISA")
                                : "host has all required cpu features (" +
                                      join(variant.cpu_features, " ") + ")";
  return std::nullopt;
}

// Returns the reason `variant` cannot run here, ignoring preferences, or
// nullopt and fills `ranked` when it can.
std::optional<std::string> check_variant(const format::Variant& variant,
                                         const SelectionInput& input, Ranked& ranked) {
  ranked.candidate.variant = &variant;
  if (variant.abi_version != NPUJAR_MODEL_ABI_VERSION) {
    return "built for model ABI " + std::to_string(variant.abi_version) + ", runtime has " +
           std::to_string(NPUJAR_MODEL_ABI_VERSION);
  }
  if (variant.kind == "cpu") {
    return check_cpu_variant(variant, input, ranked);
  }
  if (variant.kind == "npu" || variant.kind == "gpu") {
    return check_device_variant(variant, input, ranked);
  }
  return "unknown kind '" + variant.kind + "'";
}

// Returns the reason the preferences exclude a usable candidate, if they do.
std::optional<std::string> check_preferences(const Ranked& ranked, const SelectionInput& input) {
  const std::string& kind = ranked.candidate.variant->kind;
  if (input.device == NPUJAR_DEVICE_CPU && kind != "cpu") {
    return std::string("device preference is cpu");
  }
  if (input.device == NPUJAR_DEVICE_NPU && kind != "npu") {
    return std::string("device preference is npu");
  }
  if (input.device == NPUJAR_DEVICE_GPU && kind != "gpu") {
    return std::string("device preference is gpu");
  }
  bool is_bitcode = ranked.candidate.action == LoadAction::kJitBitcode;
  if (input.jit_mode == NPUJAR_JIT_FORBID && is_bitcode) {
    return std::string("JIT is forbidden");
  }
  if (input.jit_mode == NPUJAR_JIT_FORCE && !is_bitcode) {
    return std::string("JIT is forced, so only bitcode variants qualify");
  }
  return std::nullopt;
}

std::string describe_skipped(const std::vector<SkippedVariant>& skipped) {
  std::string text;
  for (const SkippedVariant& entry : skipped) {
    text += (text.empty() ? "" : "; ") + entry.name + ": " + entry.reason;
  }
  return text.empty() ? std::string("the archive lists no variants") : text;
}

Result<Selection> select_forced(const format::Manifest& manifest, const SelectionInput& input) {
  const format::Variant* variant = manifest.find_variant(input.forced_variant);
  if (variant == nullptr) {
    std::vector<std::string> names;
    for (const format::Variant& entry : manifest.variants) {
      names.push_back(entry.name);
    }
    return invalid_argument("variant '" + input.forced_variant +
                            "' not found; the archive has: " + join(names, ", "));
  }

  Ranked ranked;
  if (auto reason = check_variant(*variant, input, ranked)) {
    return Status(NPUJAR_ERROR_NO_USABLE_VARIANT,
                  "forced variant '" + variant->name + "' cannot run here: " + *reason);
  }
  if (input.jit_mode == NPUJAR_JIT_FORBID && ranked.candidate.action == LoadAction::kJitBitcode) {
    return Status(NPUJAR_ERROR_NO_USABLE_VARIANT, "forced variant '" + variant->name +
                                                      "' is bitcode but JIT is forbidden");
  }
  ranked.candidate.reason = "forced; " + ranked.candidate.reason;
  Selection selection;
  selection.candidates.push_back(ranked.candidate);
  return selection;
}

}  // namespace

const char* load_action_name(LoadAction action) {
  switch (action) {
    case LoadAction::kLinkObject: return "link object";
    case LoadAction::kJitBitcode: return "JIT bitcode";
    case LoadAction::kDevice: return "device";
  }
  return "unknown";
}

bool selection_needs_devices(const format::Manifest& manifest, npujar_device_preference device) {
  if (device == NPUJAR_DEVICE_NPU || device == NPUJAR_DEVICE_GPU) {
    return true;
  }
  if (device == NPUJAR_DEVICE_CPU) {
    return false;
  }
  for (const format::Variant& variant : manifest.variants) {
    if (variant.kind == "npu" || variant.kind == "gpu") {
      return true;
    }
  }
  return false;
}

Result<Selection> select_variants(const format::Manifest& manifest, const SelectionInput& input) {
  if (!input.forced_variant.empty()) {
    return select_forced(manifest, input);
  }

  Selection selection;
  std::vector<Ranked> usable;
  for (const format::Variant& variant : manifest.variants) {
    Ranked ranked;
    std::optional<std::string> reason = check_variant(variant, input, ranked);
    if (!reason) {
      reason = check_preferences(ranked, input);
    }
    if (reason) {
      selection.skipped.push_back({variant.name, *reason});
      continue;
    }
    usable.push_back(ranked);
  }

  if (usable.empty()) {
    return Status(NPUJAR_ERROR_NO_USABLE_VARIANT,
                  "no variant can run on this host: " + describe_skipped(selection.skipped));
  }

  // Stable: equal ranks keep the manifest's order.
  std::stable_sort(usable.begin(), usable.end(), [](const Ranked& a, const Ranked& b) {
    if (a.tier != b.tier) {
      return a.tier < b.tier;
    }
    return a.feature_count > b.feature_count;
  });

  size_t objects = 0;
  for (const Ranked& ranked : usable) {
    objects += ranked.tier == kTierCpuObject ? 1 : 0;
  }
  bool first_object = true;
  for (Ranked& ranked : usable) {
    if (ranked.tier == kTierCpuObject && objects > 1 && first_object) {
      ranked.candidate.reason += "; richest ISA of " + std::to_string(objects) +
                                 " usable precompiled variants";
    }
    first_object = first_object && ranked.tier != kTierCpuObject;
    if (ranked.tier == kTierBitcode && objects == 0 && !selection.skipped.empty()) {
      ranked.candidate.reason += "; no precompiled variant fits (" +
                                 describe_skipped(selection.skipped) + ")";
    }
    selection.candidates.push_back(ranked.candidate);
  }
  return selection;
}

}  // namespace npujar::runtime
