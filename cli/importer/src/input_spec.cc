// Parsing of --input specs such as "x:f32[N,3,224,224]".
#include <cctype>

#include "npujar/importer/importer.h"

namespace npujar::importer {

namespace {

constexpr const char* kSpecForm = "expected NAME:DTYPE[D0,D1,...], e.g. x:f32[N,3,224,224]";

bool is_identifier(const std::string& text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0]))) return false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool is_digits(const std::string& text) {
  if (text.empty() || text.size() > 18) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "224", "N" or "4*N".
bool parse_dim(const std::string& text, ir::Dim* dim) {
  size_t star = text.find('*');
  if (star == std::string::npos) {
    if (is_digits(text)) {
      *dim = ir::Dim::fixed(std::stoll(text));
      return true;
    }
    if (is_identifier(text)) {
      *dim = ir::Dim::symbolic(text);
      return true;
    }
    return false;
  }
  std::string coefficient = text.substr(0, star);
  std::string symbol = text.substr(star + 1);
  if (!is_digits(coefficient) || !is_identifier(symbol) || std::stoll(coefficient) == 0) return false;
  *dim = ir::Dim::symbolic(symbol, std::stoll(coefficient));
  return true;
}

// Bound on one input's bytes with every symbol at 1, far above any real
// model input. Code generation reported a negative buffer size for inputs
// whose byte count overflowed int64_t.
constexpr int64_t kMaxInputBytes = int64_t{1} << 40;

// Rejects a shape whose fixed extents (and symbol coefficients) alone
// exceed kMaxInputBytes, before code generation overflows on it.
void check_size(const InputSpec& spec, const std::string& text) {
  int64_t bytes = static_cast<int64_t>(ir::dtype_size(spec.dtype));
  for (const ir::Dim& dim : spec.shape) {
    // A fixed extent, or the coefficient of a symbol.
    if (__builtin_mul_overflow(bytes, dim.coefficient, &bytes) || bytes > kMaxInputBytes) {
      throw ImportError("input spec '" + text + "' describes more than 1 TiB (2^40 bytes) with " +
                        "every symbol at 1; check the extents");
    }
  }
}

}  // namespace

InputSpec parse_input_spec(const std::string& text) {
  size_t colon = text.find(':');
  size_t open = text.find('[', colon == std::string::npos ? 0 : colon);
  if (colon == std::string::npos || open == std::string::npos || text.back() != ']') {
    throw ImportError("invalid input spec '" + text + "': " + kSpecForm);
  }

  InputSpec spec;
  spec.name = text.substr(0, colon);
  if (!is_identifier(spec.name)) {
    throw ImportError("invalid input name '" + spec.name + "' in '" + text +
                      "': use letters, digits and underscores");
  }

  std::string dtype_text = text.substr(colon + 1, open - colon - 1);
  auto dtype = ir::parse_dtype(dtype_text);
  if (!dtype) {
    throw ImportError("unknown dtype '" + dtype_text + "' in input spec '" + text +
                      "': use f32, f16, bf16, i64, i32, i8, u8 or bool");
  }
  spec.dtype = *dtype;

  std::string dims = text.substr(open + 1, text.size() - open - 2);
  size_t start = 0;
  while (!dims.empty() && start <= dims.size()) {
    size_t comma = dims.find(',', start);
    std::string item = dims.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    ir::Dim dim;
    if (!parse_dim(item, &dim)) {
      throw ImportError("invalid dim '" + item + "' in input spec '" + text +
                        "': use an extent (224), a symbol (N) or a multiple of one (4*N)");
    }
    spec.shape.push_back(dim);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  check_size(spec, text);
  return spec;
}

}  // namespace npujar::importer
