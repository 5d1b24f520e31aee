// Arithmetic on symbolic dims (coefficient * symbol), declared in
// shape_inference.h.
#include <algorithm>
#include <set>

#include "npujar/ir/error.h"
#include "npujar/ir/shape_inference.h"

namespace npujar::ir {

Dim multiply(const Dim& a, const Dim& b) {
  if (!a.is_static() && !b.is_static()) {
    throw IrError("cannot multiply symbolic dims " + shape_to_string({a}) + " and " +
                  shape_to_string({b}));
  }
  int64_t coefficient;
  if (__builtin_mul_overflow(a.coefficient, b.coefficient, &coefficient)) {
    throw IrError("product of dims " + shape_to_string({a, b}) + " overflows");
  }
  return Dim{coefficient, a.is_static() ? b.symbol : a.symbol};
}

std::optional<Dim> divide_exact(const Dim& a, int64_t divisor) {
  if (divisor <= 0 || a.coefficient % divisor != 0) return std::nullopt;
  return Dim{a.coefficient / divisor, a.symbol};
}

std::optional<Dim> broadcast_dim(const Dim& a, const Dim& b) {
  if (a == b) return a;
  if (a == Dim::fixed(1)) return b;
  if (b == Dim::fixed(1)) return a;
  return std::nullopt;
}

std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  size_t rank = std::max(a.size(), b.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    Dim da = i < rank - a.size() ? Dim::fixed(1) : a[i - (rank - a.size())];
    Dim db = i < rank - b.size() ? Dim::fixed(1) : b[i - (rank - b.size())];
    auto dim = broadcast_dim(da, db);
    if (!dim) return std::nullopt;
    result[i] = *dim;
  }
  return result;
}

namespace {

// A shape's element count as a static product times a multiset of symbols.
struct Factored {
  int64_t product = 1;
  bool overflow = false;
  std::multiset<std::string> symbols;
};

Factored factor(const Shape& shape) {
  Factored result;
  for (const Dim& dim : shape) {
    if (__builtin_mul_overflow(result.product, dim.coefficient, &result.product)) result.overflow = true;
    if (!dim.is_static()) result.symbols.insert(dim.symbol);
  }
  return result;
}

}  // namespace

bool same_numel(const Shape& a, const Shape& b) {
  Factored fa = factor(a), fb = factor(b);
  if (fa.overflow || fb.overflow) return false;
  if (fa.product == 0 && fb.product == 0) return true;
  return fa.product == fb.product && fa.symbols == fb.symbols;
}

}  // namespace npujar::ir
