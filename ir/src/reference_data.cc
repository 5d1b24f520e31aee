// Reductions and data movement. Data movement copies raw elements, so it is
// exact for every dtype.
#include <cmath>
#include <cstring>

#include "reference_kernels.h"

namespace npujar::ir::reference {

namespace {

int64_t normalize_axis(const OpContext& c, int64_t axis, size_t rank) {
  int64_t normalized = axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
  if (normalized < 0 || normalized >= static_cast<int64_t>(rank)) {
    c.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return normalized;
}

int64_t product(const std::vector<int64_t>& shape, size_t begin, size_t end) {
  int64_t result = 1;
  for (size_t i = begin; i < end; ++i) result *= shape[i];
  return result;
}

// Calls body(flat_index, source_offset) for every element of `shape`, where
// source_offset advances by `strides` (in elements) per dim.
template <typename Body>
void strided_loop(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides, int64_t base, Body body) {
  int64_t total = product(shape, 0, shape.size());
  std::vector<int64_t> index(shape.size(), 0);
  int64_t offset = base;
  for (int64_t i = 0; i < total; ++i) {
    body(i, offset);
    for (size_t d = shape.size(); d-- > 0;) {
      ++index[d];
      offset += strides[d];
      if (index[d] < shape[d]) break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

// A copy of `x`'s elements at the strided positions given.
HostTensor gather_strided(const HostTensor& x, const std::vector<int64_t>& shape, const std::vector<int64_t>& strides,
                          int64_t base) {
  HostTensor out = HostTensor::zeros(x.dtype, shape);
  size_t size = dtype_size(x.dtype);
  strided_loop(shape, strides, base, [&](int64_t i, int64_t offset) {
    std::memcpy(out.data.data() + i * size, x.data.data() + offset * size, size);
  });
  return out;
}

HostTensor run_reduce(const OpContext& c) {
  const HostTensor& x = c.in(0);
  size_t rank = x.shape.size();
  std::vector<int64_t> axes = c.node.get_ints("axes");
  bool keepdims = c.node.get_int("keepdims", 0) != 0;
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t axis : axes) reduced[normalize_axis(c, axis, rank)] = true;

  std::vector<int64_t> kept_shape(rank), out_shape;
  for (size_t d = 0; d < rank; ++d) {
    kept_shape[d] = reduced[d] ? 1 : x.shape[d];
    if (!reduced[d]) out_shape.push_back(x.shape[d]);
    else if (keepdims) out_shape.push_back(1);
  }
  // Input element -> output element: strides of the kept shape, 0 on reduced dims.
  std::vector<int64_t> strides = broadcast_strides(kept_shape, x.shape);
  int64_t out_count = product(kept_shape, 0, rank);
  int64_t group = out_count == 0 ? 0 : x.numel() / out_count;
  const std::string& op = c.node.op;
  if ((op == "reduce_max" || op == "reduce_min") && group == 0) c.fail("cannot take the max or min of an empty axis");

  if (!is_float_dtype(x.dtype) && op != "reduce_mean") {
    std::vector<int64_t> in = to_int64s(x);
    std::vector<int64_t> out(out_count, op == "reduce_max" ? INT64_MIN : (op == "reduce_min" ? INT64_MAX : 0));
    strided_loop(x.shape, strides, 0, [&](int64_t i, int64_t o) {
      if (op == "reduce_sum") out[o] += in[i];
      else if (op == "reduce_max") out[o] = std::max(out[o], in[i]);
      else out[o] = std::min(out[o], in[i]);
    });
    // torch.sum promotes integers to i64.
    return from_int64s(op == "reduce_sum" ? DType::kI64 : x.dtype, out_shape, out);
  }

  std::vector<double> in = to_doubles(x);
  std::vector<double> out(out_count, op == "reduce_max" ? -INFINITY : (op == "reduce_min" ? INFINITY : 0.0));
  strided_loop(x.shape, strides, 0, [&](int64_t i, int64_t o) {
    double v = in[i];
    if (op == "reduce_sum" || op == "reduce_mean") out[o] += v;
    else if (op == "reduce_max") out[o] = (std::isnan(v) || v > out[o]) ? v : out[o];
    else out[o] = (std::isnan(v) || v < out[o]) ? v : out[o];
  });
  if (op == "reduce_mean") {
    for (double& v : out) v /= static_cast<double>(group);
  }
  return from_doubles(x.dtype, out_shape, out);
}

HostTensor run_permute(const OpContext& c) {
  const HostTensor& x = c.in(0);
  std::vector<int64_t> perm = c.node.get_ints("perm");
  if (perm.size() != x.shape.size()) c.fail("perm needs one entry per dim");
  std::vector<int64_t> own = contiguous_strides(x.shape), shape, strides;
  std::vector<bool> seen(x.shape.size(), false);
  for (int64_t p : perm) {
    int64_t axis = normalize_axis(c, p, x.shape.size());
    if (seen[axis]) c.fail("perm repeats axis " + std::to_string(p));
    seen[axis] = true;
    shape.push_back(x.shape[axis]);
    strides.push_back(own[axis]);
  }
  return gather_strided(x, shape, strides, 0);
}

HostTensor run_slice(const OpContext& c) {
  const HostTensor& x = c.in(0);
  int64_t axis = normalize_axis(c, c.node.get_int("axis", 0), x.shape.size());
  int64_t extent = x.shape[axis];
  int64_t start = c.node.get_int("start", 0);
  int64_t end = std::min(c.node.get_int("end", extent), extent);  // a full slice may use a huge end
  int64_t step = c.node.get_int("step", 1);
  if (step < 1 || start < 0 || start > end) {
    c.fail("slice [" + std::to_string(start) + ":" + std::to_string(end) + ":" + std::to_string(step) +
           "] of extent " + std::to_string(extent) + " is invalid");
  }
  std::vector<int64_t> shape = x.shape, strides = contiguous_strides(x.shape);
  int64_t base = start * strides[axis];
  shape[axis] = (end - start + step - 1) / step;
  strides[axis] *= step;
  return gather_strided(x, shape, strides, base);
}

HostTensor run_concat(const OpContext& c) {
  const HostTensor& first = c.in(0);
  int64_t axis = normalize_axis(c, c.node.get_int("axis", 0), first.shape.size());
  std::vector<int64_t> shape = first.shape;
  shape[axis] = 0;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const HostTensor& x = c.in(i);
    bool same = x.dtype == first.dtype && x.shape.size() == first.shape.size();
    for (size_t d = 0; same && d < x.shape.size(); ++d) same = d == static_cast<size_t>(axis) || x.shape[d] == first.shape[d];
    if (!same) c.fail("input " + std::to_string(i) + " differs in dtype or outside the concat axis");
    shape[axis] += x.shape[axis];
  }
  HostTensor out = HostTensor::zeros(first.dtype, shape);
  size_t size = dtype_size(first.dtype);
  int64_t outer = product(shape, 0, axis), inner = product(shape, axis + 1, shape.size());
  int64_t written = 0;  // elements along the axis already filled
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const HostTensor& x = c.in(i);
    int64_t chunk = x.shape[axis] * inner;
    for (int64_t o = 0; o < outer; ++o) {
      std::memcpy(out.data.data() + (o * shape[axis] * inner + written * inner) * size,
                  x.data.data() + o * chunk * size, chunk * size);
    }
    written += x.shape[axis];
  }
  return out;
}

HostTensor run_gather(const OpContext& c) {
  const HostTensor& data = c.in(0);
  const HostTensor& indices = c.in(1);
  if (indices.dtype != DType::kI64 && indices.dtype != DType::kI32) c.fail("indices must be i64 or i32");
  int64_t axis = normalize_axis(c, c.node.get_int("axis", 0), data.shape.size());
  int64_t outer = product(data.shape, 0, axis), extent = data.shape[axis];
  int64_t inner = product(data.shape, axis + 1, data.shape.size());
  std::vector<int64_t> index_values = to_int64s(indices);

  std::vector<int64_t> shape(data.shape.begin(), data.shape.begin() + axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  HostTensor out = HostTensor::zeros(data.dtype, shape);
  size_t size = dtype_size(data.dtype);
  int64_t count = static_cast<int64_t>(index_values.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t k = 0; k < count; ++k) {
      int64_t index = index_values[k];
      if (index < 0 || index >= extent) {
        c.fail("index " + std::to_string(index) + " is out of range [0, " + std::to_string(extent) + ")");
      }
      std::memcpy(out.data.data() + ((o * count + k) * inner) * size,
                  data.data.data() + ((o * extent + index) * inner) * size, inner * size);
    }
  }
  return out;
}

HostTensor run_reshape(const OpContext& c) {
  HostTensor out = c.in(0);
  out.shape = c.declared_output_shape();
  if (out.numel() != c.in(0).numel()) {
    c.fail("cannot reshape " + std::to_string(c.in(0).numel()) + " elements to " + std::to_string(out.numel()));
  }
  return out;
}

HostTensor run_expand(const OpContext& c) {
  const HostTensor& x = c.in(0);
  std::vector<int64_t> shape = c.declared_output_shape();
  if (broadcast_extents(c, x.shape, shape) != shape) c.fail("input does not expand to the output shape");
  return gather_strided(x, shape, broadcast_strides(x.shape, shape), 0);
}

// Source coordinate of padded coordinate `i` (already shifted by the begin
// pad) in an axis of `extent`, or -1 for constant padding.
int64_t pad_source(const std::string& mode, int64_t i, int64_t extent) {
  if (i >= 0 && i < extent) return i;
  if (mode == "constant") return -1;
  if (mode == "reflect") {
    // NOTE: one reflection suffices because shape inference limits reflect
    // pads to extent - 1, as PyTorch does.
    return i < 0 ? -i : 2 * (extent - 1) - i;
  }
  if (mode == "replicate") return i < 0 ? 0 : extent - 1;
  return ((i % extent) + extent) % extent;  // circular
}

HostTensor run_pad(const OpContext& c) {
  const HostTensor& x = c.in(0);
  std::vector<int64_t> pads = c.node.get_ints("pads");
  std::string mode = c.node.get_string("mode", "constant");
  size_t rank = x.shape.size();
  if (pads.size() % 2 != 0 || pads.size() / 2 > rank) c.fail("pads needs 2*k values for k <= rank");
  if (mode != "constant" && mode != "reflect" && mode != "replicate" && mode != "circular") c.fail("unknown mode '" + mode + "'");
  size_t k = pads.size() / 2;

  std::vector<int64_t> begin(rank, 0), shape = x.shape;
  for (size_t i = 0; i < k; ++i) {
    size_t axis = rank - k + i;
    begin[axis] = pads[i];
    shape[axis] += pads[i] + pads[k + i];
    if (shape[axis] < 0) c.fail("padding makes dim " + std::to_string(axis) + " negative");
    if (mode == "reflect" && (pads[i] >= x.shape[axis] || pads[k + i] >= x.shape[axis])) c.fail("reflect padding must be smaller than the extent");
    if (mode != "constant" && x.shape[axis] == 0 && shape[axis] > 0) c.fail("cannot pad an empty dim in mode " + mode);
    if (mode == "circular" && (pads[i] > x.shape[axis] || pads[k + i] > x.shape[axis])) c.fail("circular padding must not exceed the extent");
  }

  HostTensor fill = from_doubles(x.dtype, {1}, {c.node.get_float("value", 0.0)});
  HostTensor out = HostTensor::zeros(x.dtype, shape);
  size_t size = dtype_size(x.dtype);
  std::vector<int64_t> source_strides = contiguous_strides(x.shape);
  std::vector<int64_t> index(rank, 0);
  int64_t total = out.numel();
  for (int64_t i = 0; i < total; ++i) {
    int64_t offset = 0;
    bool constant = false;
    for (size_t d = 0; d < rank && !constant; ++d) {
      int64_t source = pad_source(mode, index[d] - begin[d], x.shape[d]);
      if (source < 0) constant = true;
      offset += source * source_strides[d];
    }
    const uint8_t* from = constant ? fill.data.data() : x.data.data() + offset * size;
    std::memcpy(out.data.data() + i * size, from, size);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

}  // namespace

HostTensor run_data(const OpContext& c) {
  const std::string& op = c.node.op;
  if (op.rfind("reduce_", 0) == 0) return run_reduce(c);
  if (op == "reshape") return run_reshape(c);
  if (op == "permute") return run_permute(c);
  if (op == "slice") return run_slice(c);
  if (op == "concat") return run_concat(c);
  if (op == "gather") return run_gather(c);
  if (op == "expand") return run_expand(c);
  if (op == "pad") return run_pad(c);
  c.fail("has no reference implementation");
}

}  // namespace npujar::ir::reference
