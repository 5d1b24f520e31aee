// The fused transformer operators that PyTorch 1.13 records when a
// batch-first nn.TransformerEncoderLayer or nn.MultiheadAttention is traced
// in eval mode under no_grad, decomposed into IR primitives with the
// semantics of ATen's transformer_encoder_layer_forward and
// native_multi_head_attention (aten/src/ATen/native/transformers/):
//
//   attention(x) = proj(softmax(mask(q k^T / sqrt(d_head))) v)
//   layer (norm_first=False): x = norm1(x + attention(x)); x = norm2(x + ffn(x))
//   layer (norm_first=True):  x = x + attention(norm1(x)); x = x + ffn(norm2(x))
//   ffn(x) = linear2(act(linear1(x))), act = gelu (exact) or relu
//
// Also scaled_dot_product_attention, softmax(mask(q k^T * scale)) v without
// the projections, which PyTorch 2.x records for nn.MultiheadAttention
// outside the fused path and for F.scaled_dot_product_attention.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "lowering.h"

namespace npujar::importer {

namespace {

using Values = std::vector<ImportValue>;

struct AttentionWeights {
  int qkv_weight, qkv_bias, proj_weight, proj_bias;
};

int slice_rows(GraphBuilder& g, int tensor, int64_t start, int64_t end) {
  return g.emit("slice", {tensor}, {{"axis", int64_t{0}}, {"start", start}, {"end", end}, {"step", int64_t{1}}});
}

int slice_last(GraphBuilder& g, int tensor, int64_t start, int64_t end) {
  int64_t axis = static_cast<int64_t>(g.rank(tensor)) - 1;
  return g.emit("slice", {tensor}, {{"axis", axis}, {"start", start}, {"end", end}, {"step", int64_t{1}}});
}

// [B, T, D] -> [B, H, T, D/H]
int split_heads(GraphBuilder& g, int x, int64_t heads) {
  ir::Shape shape = g.shape(x);
  int64_t head_dim = shape[2].coefficient / heads;
  int reshaped = g.reshape(x, {shape[0], shape[1], ir::Dim::fixed(heads), ir::Dim::fixed(head_dim)});
  return g.emit("permute", {reshaped}, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}});
}

// Applies a bool mask (true = masked out) to scores [B, H, T, S]: a key
// padding mask [B, S], an attention mask [T, S] or a mask of the scores' shape.
int apply_mask(LoweringContext& c, int scores, int mask, bool key_padding) {
  GraphBuilder& g = c.builder;
  const ir::Shape& s = g.shape(scores);
  ir::Shape mask_shape = g.shape(mask);
  int broadcastable = mask;
  if (mask_shape.size() == 2 && key_padding) {
    broadcastable = g.reshape(mask, {mask_shape[0], ir::Dim::fixed(1), ir::Dim::fixed(1), mask_shape[1]});
  } else if (mask_shape.size() == 2) {
    broadcastable = g.reshape(mask, {ir::Dim::fixed(1), ir::Dim::fixed(1), mask_shape[0], mask_shape[1]});
  } else if (mask_shape.size() != 4) {
    c.fail("attention mask of shape " + ir::shape_to_string(mask_shape) + " is not supported for scores " +
           ir::shape_to_string(s));
  }
  if (g.dtype(mask) != ir::DType::kBool) {
    // A float mask is added to the scores.
    return g.emit("add", {scores, g.cast(broadcastable, g.dtype(scores))});
  }
  int negative_infinity = g.add_scalar(-std::numeric_limits<double>::infinity(), g.dtype(scores));
  return g.emit("where", {broadcastable, negative_infinity, scores});
}

struct AttentionResult {
  int output;
  int probabilities;  // [B, H, T, S]
};

AttentionResult emit_attention(LoweringContext& c, int query, int key, int value, int64_t embed_dim, int64_t heads,
                               const AttentionWeights& w, int mask, bool key_padding) {
  GraphBuilder& g = c.builder;
  if (g.rank(query) != 3) c.fail("fused attention needs batch-first [B, T, D] inputs");
  if (embed_dim % heads != 0) c.fail("embed_dim " + std::to_string(embed_dim) + " is not divisible by " + std::to_string(heads) + " heads");

  int q = 0, k = 0, v = 0;
  if (query == key && key == value) {
    int qkv = g.emit("linear", {query, w.qkv_weight, w.qkv_bias});
    q = slice_last(g, qkv, 0, embed_dim);
    k = slice_last(g, qkv, embed_dim, 2 * embed_dim);
    v = slice_last(g, qkv, 2 * embed_dim, 3 * embed_dim);
  } else {
    int inputs[3] = {query, key, value};
    int* outputs[3] = {&q, &k, &v};
    for (int64_t i = 0; i < 3; ++i) {
      int weight = slice_rows(g, w.qkv_weight, i * embed_dim, (i + 1) * embed_dim);
      int bias = slice_rows(g, w.qkv_bias, i * embed_dim, (i + 1) * embed_dim);
      *outputs[i] = g.emit("linear", {inputs[i], weight, bias});
    }
  }

  int64_t head_dim = embed_dim / heads;
  ir::DType dtype = g.dtype(q);
  q = g.emit("mul", {split_heads(g, q, heads), g.add_scalar(1.0 / std::sqrt(static_cast<double>(head_dim)), dtype)});
  int k_transposed = g.emit("permute", {split_heads(g, k, heads)}, {{"perm", std::vector<int64_t>{0, 1, 3, 2}}});
  int scores = g.emit("matmul", {q, k_transposed});
  if (mask >= 0) scores = apply_mask(c, scores, mask, key_padding);
  int probabilities = g.emit("softmax", {scores}, {{"axis", int64_t{-1}}});
  int context = g.emit("matmul", {probabilities, split_heads(g, v, heads)});
  context = g.emit("permute", {context}, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}});
  ir::Shape merged = g.shape(query);
  merged[2] = ir::Dim::fixed(embed_dim);
  context = g.reshape(context, merged);
  return {g.emit("linear", {context, w.proj_weight, w.proj_bias}), probabilities};
}

// Whether `mask` is a key padding mask [B, S] rather than an attention mask
// [T, S]. mask_type 1 marks a key padding mask. Without mask_type, the
// mask's first dim must be the batch dim and differ from T.
bool is_key_padding(LoweringContext& c, size_t mask_type_index, int mask, int query) {
  if (!c.is_none(mask_type_index) && c.size() > mask_type_index) return c.static_int(mask_type_index) == 1;
  const ir::Shape& m = c.builder.shape(mask);
  const ir::Shape& q = c.builder.shape(query);
  return m.size() == 2 && m[0] == q[0] && m[0] != q[1];
}

// _native_multi_head_attention(query, key, value, embed_dim, num_head,
//   qkv_weight, qkv_bias, proj_weight, proj_bias, mask?, need_weights,
//   average_attn_weights, mask_type?)
Values lower_native_mha(LoweringContext& c) {
  int query = c.tensor(0), key = c.tensor(1), value = c.tensor(2);
  AttentionWeights w{c.tensor(5), c.tensor(6), c.tensor(7), c.tensor(8)};
  int mask = c.size() > 9 ? c.optional_tensor(9) : -1;
  bool key_padding = mask >= 0 && is_key_padding(c, 12, mask, query);
  AttentionResult result = emit_attention(c, query, key, value, c.static_int(3), c.static_int(4), w, mask, key_padding);

  bool need_weights = c.size() > 10 && c.flag(10);
  bool average = c.size() <= 11 || c.flag(11);
  ImportValue weights = ImportValue::invalid("attention weights were not requested (need_weights=False)");
  if (need_weights) {
    int probabilities = result.probabilities;
    if (average) {
      probabilities = c.builder.emit("reduce_mean", {probabilities},
                                     {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}});
    }
    weights = ImportValue::of_tensor(probabilities);
  }
  return {ImportValue::of_tensor(result.output), weights};
}

int emit_layer_norm(GraphBuilder& g, int x, int weight, int bias, double epsilon) {
  return g.emit("layer_norm", {x, weight, bias}, {{"axes", int64_t{1}}, {"epsilon", epsilon}});
}

// _transformer_encoder_layer_fwd(src, embed_dim, num_heads, qkv_weight,
//   qkv_bias, proj_weight, proj_bias, use_gelu, norm_first, eps,
//   norm_weight_1, norm_bias_1, norm_weight_2, norm_bias_2, ffn_weight_1,
//   ffn_bias_1, ffn_weight_2, ffn_bias_2, mask?, mask_type?)
Values lower_encoder_layer(LoweringContext& c) {
  GraphBuilder& g = c.builder;
  int src = c.tensor(0);
  AttentionWeights w{c.tensor(3), c.tensor(4), c.tensor(5), c.tensor(6)};
  bool use_gelu = c.flag(7);
  bool norm_first = c.flag(8);
  double epsilon = c.number(9);
  int mask = c.size() > 18 ? c.optional_tensor(18) : -1;
  bool key_padding = mask >= 0 && is_key_padding(c, 19, mask, src);

  int x = norm_first ? emit_layer_norm(g, src, c.tensor(10), c.tensor(11), epsilon) : src;
  x = emit_attention(c, x, x, x, c.static_int(1), c.static_int(2), w, mask, key_padding).output;
  x = g.emit("add", {x, src});
  if (!norm_first) x = emit_layer_norm(g, x, c.tensor(10), c.tensor(11), epsilon);

  int residual = x;
  if (norm_first) x = emit_layer_norm(g, x, c.tensor(12), c.tensor(13), epsilon);
  x = g.emit("linear", {x, c.tensor(14), c.tensor(15)});
  x = use_gelu ? g.emit("gelu", {x}, {{"approximate", std::string("none")}}) : g.emit("relu", {x});
  x = g.emit("linear", {x, c.tensor(16), c.tensor(17)});
  x = g.emit("add", {x, residual});
  if (!norm_first) x = emit_layer_norm(g, x, c.tensor(12), c.tensor(13), epsilon);
  return {ImportValue::of_tensor(x)};
}

// Repeats each head of `x` [..., H_kv, S, D] `groups` times along the head
// axis, like repeat_interleave(groups, dim=-3).
int repeat_heads(GraphBuilder& g, int x, int64_t groups) {
  ir::Shape shape = g.shape(x);
  size_t head_axis = shape.size() - 3;
  ir::Shape unsqueezed = shape;
  unsqueezed.insert(unsqueezed.begin() + static_cast<std::ptrdiff_t>(head_axis) + 1, ir::Dim::fixed(1));
  ir::Shape expanded = unsqueezed;
  expanded[head_axis + 1] = ir::Dim::fixed(groups);
  int repeated = g.emit("expand", {g.reshape(x, unsqueezed)}, {}, &expanded);
  shape[head_axis] = ir::Dim::fixed(shape[head_axis].coefficient * groups);
  return g.reshape(repeated, shape);
}

// A bool [L, S] constant that is true on and below the diagonal: the keys
// each query may attend to under is_causal=True.
int causal_mask(GraphBuilder& g, int64_t queries, int64_t keys) {
  std::vector<uint8_t> keep(static_cast<size_t>(queries * keys), 0);
  for (int64_t row = 0; row < queries; ++row) {
    for (int64_t column = 0; column <= std::min(row, keys - 1); ++column) {
      keep[static_cast<size_t>(row * keys + column)] = 1;
    }
  }
  return g.add_constant("", ir::DType::kBool, {queries, keys}, std::move(keep));
}

// scaled_dot_product_attention(query, key, value, attn_mask?, dropout_p,
//   is_causal, *, scale?, enable_gqa) on [..., L, D] queries and [..., S, D]
//   keys and values. Unlike the masks above, a bool attn_mask is true where
//   attention is allowed, and a float one is added to the scores.
Values lower_scaled_dot_product_attention(LoweringContext& c) {
  GraphBuilder& g = c.builder;
  int query = c.tensor(0), key = c.tensor(1), value = c.tensor(2);
  int mask = c.optional_tensor(3);
  double dropout = c.number(4);
  bool is_causal = c.flag(5);
  bool enable_gqa = c.size() > 7 && c.flag(7);
  size_t rank = g.rank(query);
  if (rank < 2 || g.rank(key) != rank || g.rank(value) != rank) {
    c.fail("query, key and value must have the same rank of at least 2, got " + ir::shape_to_string(g.shape(query)) +
           ", " + ir::shape_to_string(g.shape(key)) + " and " + ir::shape_to_string(g.shape(value)));
  }
  if (dropout != 0.0) {
    c.fail("dropout_p=" + std::to_string(dropout) + " drops attention weights at random; export the model in eval "
           "mode, where nn.MultiheadAttention passes dropout_p=0");
  }
  if (is_causal && mask >= 0) c.fail("is_causal=True needs attn_mask=None, as in PyTorch");

  const ir::Shape& query_shape = g.shape(query);
  if (enable_gqa && rank >= 3 && query_shape[rank - 3] != g.shape(key)[rank - 3]) {
    int64_t query_heads = static_extent(c, query_shape[rank - 3], "the query's head count");
    int64_t key_heads = static_extent(c, g.shape(key)[rank - 3], "the key's head count");
    if (key_heads <= 0 || query_heads % key_heads != 0) {
      c.fail("enable_gqa=True needs the query's " + std::to_string(query_heads) +
             " heads to be a multiple of the key's " + std::to_string(key_heads));
    }
    key = repeat_heads(g, key, query_heads / key_heads);
    value = repeat_heads(g, value, query_heads / key_heads);
  }

  ir::DType dtype = g.dtype(query);
  double scale = 0;
  if (c.is_none(6)) {
    int64_t head_dim = static_extent(c, query_shape[rank - 1], "the query's last dim");
    scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
  } else {
    scale = c.number(6);
  }
  std::vector<int64_t> swap_last(rank);
  for (size_t i = 0; i < rank; ++i) swap_last[i] = static_cast<int64_t>(i);
  std::swap(swap_last[rank - 2], swap_last[rank - 1]);
  int scaled_query = g.emit("mul", {query, g.add_scalar(scale, dtype)});
  int key_transposed = g.emit("permute", {key}, {{"perm", swap_last}});
  int scores = g.emit("matmul", {scaled_query, key_transposed});

  int negative_infinity = g.add_scalar(-std::numeric_limits<double>::infinity(), dtype);
  if (is_causal) {
    int64_t queries = static_extent(c, query_shape[rank - 2], "the query's sequence length (is_causal=True)");
    int64_t keys = static_extent(c, g.shape(key)[rank - 2], "the key's sequence length (is_causal=True)");
    scores = g.emit("where", {causal_mask(g, queries, keys), scores, negative_infinity});
  }
  if (mask >= 0 && g.dtype(mask) == ir::DType::kBool) {
    scores = g.emit("where", {mask, scores, negative_infinity});
  } else if (mask >= 0) {
    scores = g.emit("add", {scores, g.cast(mask, dtype)});
  }
  int probabilities = g.emit("softmax", {scores}, {{"axis", int64_t{-1}}});
  return {ImportValue::of_tensor(g.emit("matmul", {probabilities, value}))};
}

}  // namespace

std::vector<Lowering> transformer_lowerings() {
  return {
      {"aten::_native_multi_head_attention", lower_native_mha,
       "linear, slice, reshape, permute, mul, matmul, where (mask), softmax, linear",
       "batch-first 3-d inputs; a fully masked row gives NaN where PyTorch gives 0"},
      {"aten::_transformer_encoder_layer_fwd", lower_encoder_layer,
       "attention as above, add, layer_norm, linear, relu or gelu, linear",
       "batch-first 3-d inputs; a fully masked row gives NaN where PyTorch gives 0"},
      {"aten::scaled_dot_product_attention", lower_scaled_dot_product_attention,
       "mul, permute, matmul, where or add (mask), softmax, matmul",
       "dropout_p must be 0; is_causal and enable_gqa need static sequence lengths and head counts; "
       "a fully masked row gives NaN where PyTorch 2.15 gives 0"},
  };
}

}  // namespace npujar::importer
