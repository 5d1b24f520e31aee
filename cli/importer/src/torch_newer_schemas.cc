// Operator schemas that TorchScript files saved by PyTorch 2.x call but
// LibTorch 1.13 lacks. LibTorch compiles a file's code when it loads it and
// rejects any call to an operator it does not know ("Unknown builtin op"),
// even in a branch that freezing would remove. Registering the schema lets
// such files load. The walker then lowers the operator
// (aten::scaled_dot_product_attention) or reports it as unsupported when it
// survives freezing.
//
// Each schema is registered only when the linked LibTorch does not define
// it, so a build against a newer LibTorch keeps that version's definitions.
// The loader calls register_newer_schemas() before it loads a model.
#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include <cmath>
#include <limits>
#include <mutex>

#include "torch_import.h"

namespace npujar::importer {

namespace {

// The schemas as PyTorch 2.15 defines them.
constexpr const char* kScaledDotProductAttention =
    "scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask=None, "
    "float dropout_p=0., bool is_causal=False, *, float? scale=None, bool enable_gqa=False) -> Tensor";
// F.interpolate's scripted code calls it in the branch for mode="lanczos",
// which freezing removes for every other mode. It has no kernel here, so a
// model that really uses it fails to run in LibTorch and fails to import.
constexpr const char* kUpsampleLanczos =
    "_upsample_lanczos2d_aa.vec(Tensor input, SymInt[]? output_size, bool align_corners, "
    "float[]? scale_factors) -> Tensor";

// The math of PyTorch's reference implementation in the documentation of
// torch.nn.functional.scaled_dot_product_attention, without dropout. It runs
// only when LibTorch itself executes a loaded module. A fully masked row
// gives NaN here, where PyTorch 2.15 gives 0.
at::Tensor scaled_dot_product_attention(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
                                        const c10::optional<at::Tensor>& attn_mask, double dropout_p, bool is_causal,
                                        c10::optional<double> scale, bool enable_gqa) {
  TORCH_CHECK(dropout_p == 0.0, "scaled_dot_product_attention: dropout_p=", dropout_p,
              " is not supported; export the model in eval mode");
  TORCH_CHECK(!(is_causal && attn_mask.has_value()),
              "scaled_dot_product_attention: is_causal=True needs attn_mask=None");
  at::Tensor keys = key;
  at::Tensor values = value;
  if (enable_gqa && query.dim() >= 3 && query.size(-3) != key.size(-3)) {
    int64_t groups = query.size(-3) / key.size(-3);
    keys = keys.repeat_interleave(groups, -3);
    values = values.repeat_interleave(groups, -3);
  }
  double factor = scale.has_value() ? *scale : 1.0 / std::sqrt(static_cast<double>(query.size(-1)));
  at::Tensor scores = at::matmul(query, keys.transpose(-2, -1)) * factor;
  double negative_infinity = -std::numeric_limits<double>::infinity();
  if (is_causal) {
    at::Tensor keep = at::ones({query.size(-2), key.size(-2)}, query.options().dtype(at::kBool)).tril();
    scores = scores.masked_fill(keep.logical_not(), negative_infinity);
  }
  if (attn_mask.has_value() && attn_mask->scalar_type() == at::kBool) {
    scores = scores.masked_fill(attn_mask->logical_not(), negative_infinity);
  } else if (attn_mask.has_value()) {
    scores = scores + *attn_mask;
  }
  return at::matmul(at::softmax(scores, -1), values);
}

bool is_defined(const char* name, const char* overload) {
  return c10::Dispatcher::singleton().findSchema(c10::OperatorName(name, overload)).has_value();
}

void register_missing_schemas() {
  // Destroying the Library would undo its registrations, so it is never deleted.
  auto* library = new torch::Library(torch::Library::FRAGMENT, "aten", c10::nullopt, __FILE__, __LINE__);
  if (!is_defined("aten::scaled_dot_product_attention", "")) {
    library->def(kScaledDotProductAttention);
    library->impl("scaled_dot_product_attention",
                  torch::dispatch(c10::DispatchKey::CompositeImplicitAutograd, TORCH_FN(scaled_dot_product_attention)));
  }
  if (!is_defined("aten::_upsample_lanczos2d_aa", "vec")) library->def(kUpsampleLanczos);
}

}  // namespace

void register_newer_schemas() {
  static std::once_flag once;
  std::call_once(once, register_missing_schemas);
}

}  // namespace npujar::importer
