// Data movement: views and reshapes, permutations, slicing, concatenation,
// splitting, repetition, gathers, padding and tensor factories. Every view
// becomes a copy in the IR (IR values are immutable), so aliasing matters
// only for in-place operators, which the walker checks.
#include <algorithm>
#include <cstring>
#include <limits>

#include "lowering.h"

namespace npujar::importer {

namespace {

using Values = std::vector<ImportValue>;

ImportValue tensor_value(int index) { return ImportValue::of_tensor(index); }

// The dim that a -1 in a view stands for: the input's element count divided
// by the product of the other target dims.
ir::Dim infer_minus_one(LoweringContext& c, const ir::Shape& input, const ir::Shape& others) {
  ShapeProduct total = shape_product(input);
  ShapeProduct known = shape_product(others);
  if (known.extent == 0 || total.extent % known.extent != 0) {
    c.fail("cannot infer the -1 dim: " + ir::shape_to_string(input) + " does not split into " +
           ir::shape_to_string(others) + " and one more dim");
  }
  std::vector<std::string> remaining;
  std::set_difference(total.symbols.begin(), total.symbols.end(), known.symbols.begin(), known.symbols.end(),
                      std::back_inserter(remaining));
  std::vector<std::string> missing;
  std::set_difference(known.symbols.begin(), known.symbols.end(), total.symbols.begin(), total.symbols.end(),
                      std::back_inserter(missing));
  if (!missing.empty() || remaining.size() > 1) {
    c.fail("cannot infer the -1 dim of a view of " + ir::shape_to_string(input) + " as " +
           ir::shape_to_string(others) + " plus -1 with symbolic dims; give them fixed extents with --input");
  }
  int64_t extent = total.extent / known.extent;
  return remaining.empty() ? ir::Dim::fixed(extent) : ir::Dim::symbolic(remaining[0], extent);
}

ir::Shape view_shape(LoweringContext& c, const ir::Shape& input, const std::vector<ir::Dim>& target) {
  ir::Shape shape;
  ir::Shape others;
  int minus_one = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i].is_static() && target[i].coefficient == -1) {
      if (minus_one >= 0) c.fail("a view can have only one -1 dim");
      minus_one = static_cast<int>(i);
    } else {
      others.push_back(target[i]);
    }
    shape.push_back(target[i]);
  }
  if (minus_one >= 0) shape[static_cast<size_t>(minus_one)] = infer_minus_one(c, input, others);
  return shape;
}

Values lower_view(LoweringContext& c) {
  int x = c.tensor(0);
  ir::Shape shape = view_shape(c, c.builder.shape(x), c.dims(1));
  return {tensor_value(c.builder.reshape(x, shape))};
}

Values lower_view_as(LoweringContext& c) {
  return {tensor_value(c.builder.reshape(c.tensor(0), c.builder.shape(c.tensor(1))))};
}

ir::Dim product(LoweringContext& c, const ir::Shape& dims) {
  ir::Dim result = ir::Dim::fixed(1);
  for (const ir::Dim& dim : dims) {
    if (!result.is_static() && !dim.is_static()) {
      c.fail("flattening dims " + ir::shape_to_string(dims) + " multiplies two symbolic dims; give one a fixed extent");
    }
    result = result.is_static() ? ir::Dim{result.coefficient * dim.coefficient, dim.symbol}
                                : ir::Dim{result.coefficient * dim.coefficient, result.symbol};
  }
  return result;
}

Values lower_flatten(LoweringContext& c) {
  int x = c.tensor(0);
  const ir::Shape& input = c.builder.shape(x);
  if (input.empty()) return {tensor_value(c.builder.reshape(x, {ir::Dim::fixed(1)}))};
  size_t start = c.axis(c.size() > 1 ? c.static_int(1) : 0, input.size());
  size_t end = c.axis(c.size() > 2 ? c.static_int(2) : -1, input.size());
  if (start > end) c.fail("flatten start dim " + std::to_string(start) + " is after end dim " + std::to_string(end));
  ir::Shape shape(input.begin(), input.begin() + static_cast<long>(start));
  shape.push_back(product(c, ir::Shape(input.begin() + static_cast<long>(start), input.begin() + static_cast<long>(end) + 1)));
  shape.insert(shape.end(), input.begin() + static_cast<long>(end) + 1, input.end());
  return {tensor_value(c.builder.reshape(x, shape))};
}

Values lower_unflatten(LoweringContext& c) {
  int x = c.tensor(0);
  const ir::Shape& input = c.builder.shape(x);
  size_t axis = c.axis(c.static_int(1), input.size());
  ir::Shape pieces = view_shape(c, {input[axis]}, c.dims(2));
  ir::Shape shape(input.begin(), input.begin() + static_cast<long>(axis));
  shape.insert(shape.end(), pieces.begin(), pieces.end());
  shape.insert(shape.end(), input.begin() + static_cast<long>(axis) + 1, input.end());
  return {tensor_value(c.builder.reshape(x, shape))};
}

Values lower_squeeze(LoweringContext& c) {
  int x = c.tensor(0);
  const ir::Shape& input = c.builder.shape(x);
  ir::Shape shape;
  if (c.size() < 2) {
    for (const ir::Dim& dim : input) {
      if (dim != ir::Dim::fixed(1)) shape.push_back(dim);
    }
  } else {
    if (input.empty()) return {c.at(0)};
    size_t axis = c.axis(c.static_int(1), input.size());
    for (size_t i = 0; i < input.size(); ++i) {
      if (i != axis || input[i] != ir::Dim::fixed(1)) shape.push_back(input[i]);
    }
  }
  return {tensor_value(c.builder.reshape(x, shape))};
}

Values lower_unsqueeze(LoweringContext& c) {
  int x = c.tensor(0);
  ir::Shape shape = c.builder.shape(x);
  size_t axis = c.axis(c.static_int(1), shape.size() + 1);
  shape.insert(shape.begin() + static_cast<long>(axis), ir::Dim::fixed(1));
  return {tensor_value(c.builder.reshape(x, shape))};
}

int emit_permute(GraphBuilder& g, int x, const std::vector<int64_t>& perm) {
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i) identity = identity && perm[i] == static_cast<int64_t>(i);
  if (identity) return x;
  return g.emit("permute", {x}, {{"perm", perm}});
}

Values lower_permute(LoweringContext& c) {
  int x = c.tensor(0);
  std::vector<int64_t> perm = c.ints(1);
  for (int64_t& axis : perm) axis = static_cast<int64_t>(c.axis(axis, c.builder.rank(x)));
  return {tensor_value(emit_permute(c.builder, x, perm))};
}

Values lower_transpose(LoweringContext& c) {
  int x = c.tensor(0);
  size_t rank = c.builder.rank(x);
  if (c.kind == "aten::t" && rank < 2) return {c.at(0)};
  size_t a = c.kind == "aten::t" ? 0 : c.axis(c.static_int(1), rank);
  size_t b = c.kind == "aten::t" ? 1 : c.axis(c.static_int(2), rank);
  std::vector<int64_t> perm(rank);
  for (size_t i = 0; i < rank; ++i) perm[i] = static_cast<int64_t>(i);
  std::swap(perm[a], perm[b]);
  return {tensor_value(emit_permute(c.builder, x, perm))};
}

int emit_expand(GraphBuilder& g, int x, const ir::Shape& shape) {
  if (g.shape(x) == shape) return x;
  return g.emit("expand", {x}, {}, &shape);
}

Values lower_expand(LoweringContext& c) {
  int x = c.tensor(0);
  const ir::Shape& input = c.builder.shape(x);
  std::vector<ir::Dim> sizes = c.dims(1);
  if (sizes.size() < input.size()) c.fail("expand() to fewer dims than the input has");
  ir::Shape shape;
  size_t offset = sizes.size() - input.size();
  for (size_t i = 0; i < sizes.size(); ++i) {
    bool keep = sizes[i].is_static() && sizes[i].coefficient == -1;
    if (keep && i < offset) c.fail("expand() cannot use -1 for a new leading dim");
    shape.push_back(keep ? input[i - offset] : sizes[i]);
  }
  return {tensor_value(emit_expand(c.builder, x, shape))};
}

Values lower_expand_as(LoweringContext& c) {
  return {tensor_value(emit_expand(c.builder, c.tensor(0), c.builder.shape(c.tensor(1))))};
}

// Emits x[start:end:step] along `axis`, with Python's clamping. A slice
// over the whole dim is no node, which keeps symbolic dims usable with
// `x[:, 0]`-style indexing.
int emit_slice(LoweringContext& c, int x, size_t axis, int64_t start, int64_t end, int64_t step) {
  if (step < 1) c.fail("slice step " + std::to_string(step) + " is not supported; it must be at least 1");
  const ir::Dim& dim = c.builder.shape(x)[axis];
  constexpr int64_t kWhole = std::numeric_limits<int64_t>::max() / 2;
  if (!dim.is_static()) {
    if (start == 0 && end >= kWhole && step == 1) return x;
    c.fail("slicing the symbolic dim " + dim_text(dim) + " is not supported; give it a fixed extent with --input");
  }
  int64_t size = dim.coefficient;
  if (start < 0) start += size;
  if (end < 0) end += size;
  start = std::clamp<int64_t>(start, 0, size);
  end = std::clamp<int64_t>(end, start, size);
  if (start == 0 && end == size && step == 1) return x;
  return c.builder.emit("slice", {x}, {{"axis", static_cast<int64_t>(axis)}, {"start", start}, {"end", end}, {"step", step}});
}

Values lower_slice(LoweringContext& c) {
  int x = c.tensor(0);
  if (c.builder.rank(x) == 0) c.fail("cannot slice a 0-d tensor");
  size_t axis = c.axis(c.size() > 1 ? c.static_int(1) : 0, c.builder.rank(x));
  int64_t start = c.is_none(2) ? 0 : c.static_int(2);
  int64_t end = c.is_none(3) ? std::numeric_limits<int64_t>::max() : c.static_int(3);
  int64_t step = c.size() > 4 ? c.static_int(4) : 1;
  return {tensor_value(emit_slice(c, x, axis, start, end, step))};
}

int emit_select(LoweringContext& c, int x, size_t axis, int64_t index) {
  ir::Shape shape = c.builder.shape(x);
  int64_t size = static_extent(c, shape[axis], "the selected dim");
  if (index < -size || index >= size) {
    c.fail("index " + std::to_string(index) + " is out of range for a dim of size " + std::to_string(size));
  }
  if (index < 0) index += size;
  int sliced = emit_slice(c, x, axis, index, index + 1, 1);
  shape.erase(shape.begin() + static_cast<long>(axis));
  return c.builder.reshape(sliced, shape);
}

Values lower_select(LoweringContext& c) {
  int x = c.tensor(0);
  return {tensor_value(emit_select(c, x, c.axis(c.static_int(1), c.builder.rank(x)), c.static_int(2)))};
}

Values lower_narrow(LoweringContext& c) {
  int x = c.tensor(0);
  size_t axis = c.axis(c.static_int(1), c.builder.rank(x));
  int64_t start = c.static_int(2);
  return {tensor_value(emit_slice(c, x, axis, start, start + c.static_int(3), 1))};
}

std::vector<int> tensor_list(LoweringContext& c, size_t index) {
  std::vector<int> tensors;
  LoweringContext items(c.builder, c.kind, c.list(index), 1);
  for (size_t i = 0; i < items.size(); ++i) tensors.push_back(items.tensor(i));
  if (tensors.empty()) c.fail("the tensor list is empty");
  return tensors;
}

int emit_concat(LoweringContext& c, std::vector<int> tensors, int64_t axis) {
  // Operands of other dtypes are promoted to the first float dtype found.
  ir::DType dtype = c.builder.dtype(tensors[0]);
  for (int tensor : tensors) {
    if (is_float_dtype(c.builder.dtype(tensor))) dtype = c.builder.dtype(tensor);
  }
  for (int& tensor : tensors) tensor = c.builder.cast(tensor, dtype);
  if (tensors.size() == 1) return tensors[0];
  size_t normalized = c.axis(axis, c.builder.rank(tensors[0]));
  return c.builder.emit("concat", tensors, {{"axis", static_cast<int64_t>(normalized)}});
}

Values lower_cat(LoweringContext& c) {
  return {tensor_value(emit_concat(c, tensor_list(c, 0), c.size() > 1 ? c.static_int(1) : 0))};
}

Values lower_stack(LoweringContext& c) {
  std::vector<int> tensors = tensor_list(c, 0);
  size_t axis = c.axis(c.size() > 1 ? c.static_int(1) : 0, c.builder.rank(tensors[0]) + 1);
  for (int& tensor : tensors) {
    ir::Shape shape = c.builder.shape(tensor);
    shape.insert(shape.begin() + static_cast<long>(axis), ir::Dim::fixed(1));
    tensor = c.builder.reshape(tensor, shape);
  }
  return {tensor_value(emit_concat(c, tensors, static_cast<int64_t>(axis)))};
}

Values split_by_sizes(LoweringContext& c, int x, size_t axis, const std::vector<int64_t>& sizes) {
  Values pieces;
  int64_t start = 0;
  for (int64_t size : sizes) {
    pieces.push_back(tensor_value(emit_slice(c, x, axis, start, start + size, 1)));
    start += size;
  }
  return {ImportValue::of_list(std::move(pieces))};
}

// Chunk and split sizes: `size` pieces, the last one smaller.
std::vector<int64_t> even_sizes(int64_t extent, int64_t size) {
  std::vector<int64_t> sizes;
  for (int64_t start = 0; start < extent; start += size) sizes.push_back(std::min(size, extent - start));
  if (sizes.empty()) sizes.push_back(0);
  return sizes;
}

Values lower_chunk(LoweringContext& c) {
  int x = c.tensor(0);
  size_t axis = c.axis(c.size() > 2 ? c.static_int(2) : 0, c.builder.rank(x));
  int64_t extent = static_extent(c, c.builder.shape(x)[axis], "the chunked dim");
  int64_t chunks = c.static_int(1);
  if (chunks < 1) c.fail("chunk count " + std::to_string(chunks) + " must be at least 1");
  return split_by_sizes(c, x, axis, even_sizes(extent, (extent + chunks - 1) / chunks));
}

Values lower_split(LoweringContext& c) {
  int x = c.tensor(0);
  size_t axis = c.axis(c.size() > 2 ? c.static_int(2) : 0, c.builder.rank(x));
  int64_t extent = static_extent(c, c.builder.shape(x)[axis], "the split dim");
  if (c.kind == "aten::split_with_sizes" || c.at(1).kind == ImportValue::Kind::kList) {
    return split_by_sizes(c, x, axis, c.ints(1));
  }
  int64_t size = c.static_int(1);
  if (size < 1) c.fail("split size " + std::to_string(size) + " must be at least 1");
  return split_by_sizes(c, x, axis, even_sizes(extent, size));
}

Values lower_unbind(LoweringContext& c) {
  int x = c.tensor(0);
  size_t axis = c.axis(c.size() > 1 ? c.static_int(1) : 0, c.builder.rank(x));
  int64_t extent = static_extent(c, c.builder.shape(x)[axis], "the unbound dim");
  Values pieces;
  for (int64_t i = 0; i < extent; ++i) pieces.push_back(tensor_value(emit_select(c, x, axis, i)));
  return {ImportValue::of_list(std::move(pieces))};
}

// repeat: interleave the input dims with repeat factors, expand, merge.
Values lower_repeat(LoweringContext& c) {
  int x = c.tensor(0);
  std::vector<int64_t> repeats = c.ints(1);
  ir::Shape input = c.builder.shape(x);
  if (repeats.size() < input.size()) c.fail("repeat() needs at least one factor per dim");
  input.insert(input.begin(), repeats.size() - input.size(), ir::Dim::fixed(1));
  ir::Shape interleaved, expanded, merged;
  for (size_t i = 0; i < input.size(); ++i) {
    interleaved.push_back(ir::Dim::fixed(1));
    interleaved.push_back(input[i]);
    expanded.push_back(ir::Dim::fixed(repeats[i]));
    expanded.push_back(input[i]);
    merged.push_back(ir::Dim{input[i].coefficient * repeats[i], input[i].symbol});
  }
  int result = c.builder.reshape(x, interleaved);
  result = emit_expand(c.builder, result, expanded);
  return {tensor_value(c.builder.reshape(result, merged))};
}

Values lower_repeat_interleave(LoweringContext& c) {
  int x = c.tensor(0);
  if (c.at(1).is_tensor()) c.fail("repeat_interleave with a tensor of repeats is not supported; use an int");
  int64_t repeats = c.static_int(1);
  ir::Shape input = c.builder.shape(x);
  if (c.is_none(2)) {
    x = c.builder.reshape(x, {product(c, input)});
    input = c.builder.shape(x);
  }
  size_t axis = c.is_none(2) ? 0 : c.axis(c.static_int(2), input.size());
  ir::Shape split = input, expanded = input, merged = input;
  split.insert(split.begin() + static_cast<long>(axis) + 1, ir::Dim::fixed(1));
  expanded.insert(expanded.begin() + static_cast<long>(axis) + 1, ir::Dim::fixed(repeats));
  merged[axis] = ir::Dim{input[axis].coefficient * repeats, input[axis].symbol};
  int result = emit_expand(c.builder, c.builder.reshape(x, split), expanded);
  return {tensor_value(c.builder.reshape(result, merged))};
}

Values lower_embedding(LoweringContext& c) {
  int weight = c.tensor(0);
  int indices = c.tensor(1);
  return {tensor_value(c.builder.emit("gather", {weight, indices}, {{"axis", int64_t{0}}}))};
}

Values lower_index_select(LoweringContext& c) {
  int x = c.tensor(0);
  size_t axis = c.axis(c.static_int(1), c.builder.rank(x));
  return {tensor_value(c.builder.emit("gather", {x, c.tensor(2)}, {{"axis", static_cast<int64_t>(axis)}}))};
}

ir::DType factory_dtype(LoweringContext& c, size_t index, ir::DType fallback) {
  if (c.is_none(index) || c.at(index).kind != ImportValue::Kind::kInt) return fallback;
  switch (c.static_int(index)) {
    case 4: return ir::DType::kI64;
    case 3: return ir::DType::kI32;
    case 6:
    case 7: return ir::DType::kF32;
    case 11: return ir::DType::kBool;
    default: c.fail("factory dtype code " + std::to_string(c.static_int(index)) + " is not supported");
  }
}

int constant_from_doubles(GraphBuilder& g, ir::DType dtype, const std::vector<int64_t>& shape,
                          const std::vector<double>& values) {
  std::vector<uint8_t> data(values.size() * ir::dtype_size(dtype));
  for (size_t i = 0; i < values.size(); ++i) {
    uint8_t* target = data.data() + i * ir::dtype_size(dtype);
    if (dtype == ir::DType::kF32) {
      float value = static_cast<float>(values[i]);
      std::memcpy(target, &value, sizeof value);
    } else if (dtype == ir::DType::kI64) {
      int64_t value = static_cast<int64_t>(values[i]);
      std::memcpy(target, &value, sizeof value);
    } else if (dtype == ir::DType::kI32) {
      int32_t value = static_cast<int32_t>(values[i]);
      std::memcpy(target, &value, sizeof value);
    } else {
      *target = values[i] != 0 ? 1 : 0;
    }
  }
  return g.add_constant("", dtype, shape, std::move(data));
}

// arange(end, dtype, ...), arange(start, end, dtype, ...) and
// arange(start, end, step, dtype, ...): the trailing four arguments are
// dtype, layout, device and pin_memory.
Values lower_arange(LoweringContext& c) {
  size_t numbers = c.size() - 4;
  double start = 0, end = 0, step = 1;
  if (numbers == 1) {
    end = c.number(0);
  } else {
    start = c.number(0);
    end = c.number(1);
    if (numbers == 3) step = c.number(2);
  }
  if (step == 0) c.fail("arange step is 0");
  bool any_float = false;
  for (size_t i = 0; i < numbers; ++i) any_float = any_float || c.at(i).kind == ImportValue::Kind::kFloat;
  ir::DType dtype = factory_dtype(c, numbers, any_float ? ir::DType::kF32 : ir::DType::kI64);
  std::vector<double> values;
  for (double value = start; step > 0 ? value < end : value > end; value += step) values.push_back(value);
  return {tensor_value(constant_from_doubles(c.builder, dtype, {static_cast<int64_t>(values.size())}, values))};
}

// zeros/ones/full(size, [fill,] dtype, ...) as a constant expanded to the
// size, so symbolic sizes work too.
Values lower_fill(LoweringContext& c) {
  bool is_full = c.kind == "aten::full" || c.kind == "aten::full_like";
  bool is_like = c.kind.size() > 5 && c.kind.compare(c.kind.size() - 5, 5, "_like") == 0;
  double fill = is_full ? c.number(1) : (c.kind.find("ones") != std::string::npos ? 1.0 : 0.0);
  size_t dtype_index = is_full ? 2 : 1;
  ir::Shape shape;
  ir::DType dtype = ir::DType::kF32;
  if (is_like) {
    int like = c.tensor(0);
    shape = c.builder.shape(like);
    dtype = factory_dtype(c, dtype_index, c.builder.dtype(like));
  } else {
    for (const ir::Dim& dim : c.dims(0)) shape.push_back(dim);
    dtype = factory_dtype(c, dtype_index, is_full && c.at(1).kind != ImportValue::Kind::kFloat ? ir::DType::kI64
                                                                                               : ir::DType::kF32);
  }
  int scalar = c.builder.add_scalar(fill, dtype);
  ir::Shape ones(shape.size(), ir::Dim::fixed(1));
  return {tensor_value(emit_expand(c.builder, c.builder.reshape(scalar, ones), shape))};
}

// PyTorch's pad list runs from the last dim backwards, [begin, end] per dim.
// The IR lists all begins, then all ends, from the first padded dim on.
Values lower_pad(LoweringContext& c) {
  int x = c.tensor(0);
  std::vector<int64_t> torch_pads = c.ints(1);

  std::string mode = "constant";
  double value = 0.0;
  if (c.kind == "aten::pad") {
    mode = c.is_none(2) ? "constant" : c.string(2);
    value = c.is_none(3) ? 0.0 : c.number(3);
  } else if (c.kind == "aten::constant_pad_nd") {
    value = c.size() > 2 && !c.is_none(2) ? c.number(2) : 0.0;
  } else if (c.kind.find("reflection") != std::string::npos) {
    mode = "reflect";
  } else {
    mode = "replicate";
  }

  if (mode != "constant" && mode != "reflect" && mode != "replicate" && mode != "circular") {
    c.fail("padding mode '" + mode + "' is not supported");
  }
  if (torch_pads.size() % 2 != 0 || torch_pads.size() / 2 > c.builder.rank(x)) {
    c.fail("the pad list has " + std::to_string(torch_pads.size()) + " entries for a tensor of rank " +
           std::to_string(c.builder.rank(x)));
  }

  size_t dims = torch_pads.size() / 2;
  std::vector<int64_t> pads(2 * dims);
  bool all_zero = true;
  for (size_t j = 0; j < dims; ++j) {
    int64_t begin = torch_pads[2 * j], end = torch_pads[2 * j + 1];
    if (begin < 0 || end < 0) c.fail("negative padding (cropping) is not supported");
    pads[dims - 1 - j] = begin;
    pads[2 * dims - 1 - j] = end;
    all_zero = all_zero && begin == 0 && end == 0;
  }
  if (all_zero) return {c.at(0)};

  ir::Attributes attributes = {{"mode", mode}, {"pads", pads}};
  if (mode == "constant") attributes["value"] = value;
  return {tensor_value(c.builder.emit("pad", {x}, attributes))};
}

}  // namespace

std::vector<Lowering> shape_lowerings() {
  return {
      {"aten::view", lower_view, "reshape", "a -1 dim must be representable with one symbol"},
      {"aten::reshape", lower_view, "reshape", "a -1 dim must be representable with one symbol"},
      {"aten::view_as", lower_view_as, "reshape", ""},
      {"aten::reshape_as", lower_view_as, "reshape", ""},
      {"aten::flatten", lower_flatten, "reshape", "flattened dims may contain at most one symbolic dim"},
      {"aten::unflatten", lower_unflatten, "reshape", ""},
      {"aten::squeeze", lower_squeeze, "reshape", "only static size-1 dims are removed"},
      {"aten::unsqueeze", lower_unsqueeze, "reshape", ""},
      {"aten::permute", lower_permute, "permute", ""},
      {"aten::transpose", lower_transpose, "permute", ""},
      {"aten::t", lower_transpose, "permute", ""},
      {"aten::expand", lower_expand, "expand", ""},
      {"aten::expand_as", lower_expand_as, "expand", ""},
      {"aten::slice", lower_slice, "slice (nothing for a whole dim)",
       "step >= 1; a symbolic dim can only be taken whole"},
      {"aten::select", lower_select, "slice, reshape", "the dim must be static"},
      {"aten::narrow", lower_narrow, "slice", "the dim must be static"},
      {"aten::cat", lower_cat, "concat", ""},
      {"aten::stack", lower_stack, "reshape, concat", ""},
      {"aten::chunk", lower_chunk, "slice per chunk", "the dim must be static"},
      {"aten::split", lower_split, "slice per piece", "the dim must be static"},
      {"aten::split_with_sizes", lower_split, "slice per piece", "the dim must be static"},
      {"aten::unbind", lower_unbind, "slice, reshape per piece", "the dim must be static"},
      {"aten::repeat", lower_repeat, "reshape, expand, reshape", ""},
      {"aten::repeat_interleave", lower_repeat_interleave, "reshape, expand, reshape",
       "repeats must be an int, not a tensor"},
      {"aten::embedding", lower_embedding, "gather on axis 0", "padding_idx only matters for training"},
      {"aten::index_select", lower_index_select, "gather", ""},
      {"aten::arange", lower_arange, "constant", "bounds must be known at import time"},
      {"aten::zeros", lower_fill, "constant expanded to the size", "dtypes f32, f64, i64, i32, bool"},
      {"aten::ones", lower_fill, "constant expanded to the size", "dtypes f32, f64, i64, i32, bool"},
      {"aten::full", lower_fill, "constant expanded to the size", "dtypes f32, f64, i64, i32, bool"},
      {"aten::zeros_like", lower_fill, "constant expanded to the shape", ""},
      {"aten::ones_like", lower_fill, "constant expanded to the shape", ""},
      {"aten::full_like", lower_fill, "constant expanded to the shape", ""},
      {"aten::pad", lower_pad, "pad (constant, reflect, replicate, circular)", "negative pads are rejected"},
      {"aten::constant_pad_nd", lower_pad, "pad (constant)", "negative pads are rejected"},
      {"aten::reflection_pad1d", lower_pad, "pad (reflect)", ""},
      {"aten::reflection_pad2d", lower_pad, "pad (reflect)", ""},
      {"aten::replication_pad1d", lower_pad, "pad (replicate)", ""},
      {"aten::replication_pad2d", lower_pad, "pad (replicate)", ""},
  };
}

}  // namespace npujar::importer
