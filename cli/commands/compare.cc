// `npujar compare MODEL.pt M.npujar`: runs LibTorch's own forward() and the
// npujar runtime on the same inputs and reports, for every output, the
// largest absolute difference and that difference relative to the output's
// largest magnitude. The command fails (exit 1) when an element differs by
// more than atol + rtol * max|LibTorch's output|, or when a shape or dtype
// differs.
//
// Inputs are the files given with --input, and seeded random values for the
// rest: standard normal for floating-point inputs, uniform integers in
// --int-range for integer inputs, 0 or 1 for bool. Symbolic dimensions take
// their values from --dim (1 when not given).
//
// By default the variant the runtime selects on this host is compared;
// --variant, --jit and --reference pick others, and --all compares every
// variant this host can run, including the JIT-compiled bitcode.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "model_io.h"

#if defined(NPUJAR_CLI_HAS_RUNTIME) && __has_include("npujar/importer/importer.h")
#define NPUJAR_CLI_HAS_COMPARE 1
#include "npujar/format/reader.h"
#include "npujar/importer/importer.h"
#endif

namespace npujar::cli {
namespace {

struct CompareOptions {
  std::string model;
  std::string archive;
  std::vector<std::string> inputs;
  std::vector<std::string> dims;
  uint64_t seed = 0;
  std::string int_range = "0:10";
  std::vector<std::string> variants;
  bool jit = false;
  bool all = false;
  bool reference = false;
  bool float64 = false;
  double atol = 1e-4;
  double rtol = 1e-4;
  int threads = 0;
  std::string save_inputs;
};

#ifdef NPUJAR_CLI_HAS_COMPARE

// Parses "LO:HI" into a half-open range [LO, HI) with LO < HI.
std::pair<int64_t, int64_t> parse_int_range(const std::string& text) {
  size_t colon = text.find(':');
  try {
    if (colon != std::string::npos) {
      size_t end_low = 0;
      size_t end_high = 0;
      int64_t low = std::stoll(text.substr(0, colon), &end_low);
      int64_t high = std::stoll(text.substr(colon + 1), &end_high);
      if (end_low == colon && end_high == text.size() - colon - 1 && low < high) {
        return {low, high};
      }
    }
  } catch (const std::exception&) {
  }
  throw CommandError{"compare: --int-range '" + text +
                     "' is not LO:HI with integers LO < HI, e.g. 0:30522"};
}

// Parses the --dim SYMBOL=VALUE arguments.
std::map<std::string, int64_t> parse_dims(const std::vector<std::string>& dims) {
  std::map<std::string, int64_t> values;
  for (const std::string& text : dims) {
    auto [symbol, value_text] = split_binding(text);
    size_t end = 0;
    int64_t value = -1;
    try {
      value = std::stoll(value_text, &end);
    } catch (const std::exception&) {
    }
    if (symbol.empty() || end != value_text.size() || value < 1 || value > (int64_t{1} << 31)) {
      throw CommandError{"compare: --dim '" + text +
                         "' is not SYMBOL=VALUE with a value from 1 to 2^31, e.g. N=4"};
    }
    values[symbol] = value;
  }
  return values;
}

struct Inputs {
  std::vector<ir::HostTensor> tensors;
  std::vector<std::string> descriptions;  // one line per input, for the report
};

// Reads the given input files and generates the others from the seed.
Inputs make_inputs(const CompareOptions& options, const format::Manifest& manifest) {
  std::vector<std::string> names;
  for (const format::TensorSpec& spec : manifest.inputs) {
    names.push_back(spec.name);
  }
  std::vector<std::string> paths = order_paths("compare", options.inputs, names, "input", false);
  std::map<std::string, int64_t> symbols = parse_dims(options.dims);
  auto [int_low, int_high] = parse_int_range(options.int_range);

  std::mt19937_64 generator(options.seed);
  Inputs inputs;
  for (size_t i = 0; i < manifest.inputs.size(); ++i) {
    const format::TensorSpec& spec = manifest.inputs[i];
    if (!paths[i].empty()) {
      inputs.tensors.push_back(read_input("compare", paths[i], spec.name, spec.dtype));
      inputs.descriptions.push_back(spec.name + ": " + paths[i]);
      continue;
    }

    std::vector<int64_t> shape;
    for (const format::Dimension& dim : spec.shape) {
      int64_t value = 1;
      if (!dim.is_static()) {
        auto it = symbols.find(dim.symbol);
        value = it == symbols.end() ? 1 : it->second;
        symbols.emplace(dim.symbol, value);
      }
      shape.push_back(dim.coefficient * value);
    }
    std::optional<ir::DType> parsed = ir::parse_dtype(spec.dtype);
    if (!parsed) {
      throw CommandError{"compare: input '" + spec.name + "' has dtype '" + spec.dtype +
                         "', which this npujar cannot generate; pass it with --input " + spec.name +
                         "=FILE.npy"};
    }
    const ir::DType dtype = *parsed;

    int64_t count = 1;
    for (int64_t extent : shape) count *= extent;
    std::string distribution;
    if (dtype == ir::DType::kF32 || dtype == ir::DType::kF16 || dtype == ir::DType::kBF16) {
      std::normal_distribution<double> normal(0.0, 1.0);
      std::vector<double> values(static_cast<size_t>(count));
      for (double& value : values) value = normal(generator);
      inputs.tensors.push_back(ir::from_doubles(dtype, shape, values));
      distribution = "standard normal";
    } else {
      bool is_bool = dtype == ir::DType::kBool;
      std::uniform_int_distribution<int64_t> uniform(is_bool ? 0 : int_low, is_bool ? 1 : int_high - 1);
      std::vector<int64_t> values(static_cast<size_t>(count));
      for (int64_t& value : values) value = uniform(generator);
      inputs.tensors.push_back(ir::from_int64s(dtype, shape, values));
      distribution = is_bool ? "random 0 or 1" : "uniform integers in [" + std::to_string(int_low) + ", " +
                                             std::to_string(int_high) + ")";
    }
    inputs.descriptions.push_back(spec.name + ": " + spec.dtype + runtime::dims_to_string(shape) +
                                  ", " + distribution + ", seed " + std::to_string(options.seed));
  }

  for (const auto& [symbol, value] : parse_dims(options.dims)) {
    bool used = false;
    for (const format::TensorSpec& spec : manifest.inputs) {
      for (const format::Dimension& dim : spec.shape) used = used || dim.symbol == symbol;
    }
    if (!used) {
      throw CommandError{"compare: --dim " + symbol + "=" + std::to_string(value) +
                         ": no input of the archive has the symbolic dimension '" + symbol + "'"};
    }
  }
  return inputs;
}

// One way of running the archive: a variant, the runtime's own choice, or
// the reference executor.
struct Path {
  std::string label;
  std::string variant;  // empty: the runtime's selection
  bool jit = false;
  bool reference = false;
};

std::vector<Path> choose_paths(const CompareOptions& options,
                               const runtime::RuntimeOptions& runtime_options) {
  std::vector<Path> paths;
  for (const std::string& variant : options.variants) {
    paths.push_back({variant, variant, false, false});
  }
  if (options.jit) {
    paths.push_back({"jit", "", true, false});
  }
  if (options.all) {
    // The default selection lists every variant this host can run, best
    // first; each is then loaded on its own. Selecting loads nothing, so a
    // bitcode variant is not JIT-compiled one extra time here.
    runtime::Result<runtime::ResolvedOptions> resolved = runtime::resolve_options(runtime_options);
    if (!resolved) {
      throw CommandError{"compare: " + resolved.status().message()};
    }
    format::Manifest manifest;
    try {
      manifest = format::ArchiveReader::open_file(options.archive).manifest();
    } catch (const format::FormatError& error) {
      throw CommandError{"compare: " + options.archive + ": " + error.message()};
    }
    runtime::Result<runtime::Selection> selection =
        runtime::select_variants(manifest, runtime::host_selection_input(manifest, *resolved));
    if (!selection) {
      throw CommandError{"compare: archive '" + options.archive + "': " +
                         selection.status().message()};
    }
    for (const runtime::Candidate& candidate : selection->candidates) {
      paths.push_back({candidate.variant->name, candidate.variant->name, false, false});
    }
    for (const runtime::SkippedVariant& skipped : selection->skipped) {
      std::printf("skipped %s: %s\n", skipped.name.c_str(), skipped.reason.c_str());
    }
  }
  if (options.reference) {
    paths.push_back({"reference executor", "", false, true});
  }
  if (paths.empty()) {
    paths.push_back({"selected", "", false, false});
  }
  return paths;
}

// "[0, 17]" for a flat index into `shape`.
std::string index_to_string(size_t flat, const std::vector<int64_t>& shape) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = static_cast<int64_t>(flat % static_cast<size_t>(shape[d]));
    flat /= static_cast<size_t>(shape[d]);
  }
  return runtime::dims_to_string(index);
}

// Compares one output and prints its line; returns whether it is within
// tolerance. The relative tolerance applies to the output's largest
// magnitude, not to each element: float32 rounding in a deep network grows
// with the size of its activations, so an element near zero carries the
// error of its larger neighbours. (LibTorch's own float32 resnet50 logits
// differ from its float64 ones by 1.1e-4 where the largest logit is 3.)
bool compare_output(const std::string& name, const ir::HostTensor& got, const ir::HostTensor& want,
                    const CompareOptions& options) {
  std::string header = "  " + name + " " + ir::dtype_name(want.dtype) +
                       runtime::dims_to_string(want.shape) + ": ";
  if (got.dtype != want.dtype || got.shape != want.shape) {
    std::printf("%sFAIL: npujar gives %s%s\n", header.c_str(), ir::dtype_name(got.dtype),
                runtime::dims_to_string(got.shape).c_str());
    return false;
  }

  std::vector<double> a = ir::to_doubles(got);
  std::vector<double> b = ir::to_doubles(want);
  double scale = 0.0;
  for (double value : b) {
    if (std::isfinite(value)) scale = std::max(scale, std::fabs(value));
  }
  const double allowed = options.atol + options.rtol * scale;

  double max_abs = 0.0;
  size_t bad = 0;
  size_t worst = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    bool both_nan = std::isnan(a[i]) && std::isnan(b[i]);
    double difference = a[i] == b[i] || both_nan ? 0.0 : std::fabs(a[i] - b[i]);
    if (std::isnan(difference)) {
      difference = INFINITY;  // NaN on one side only
    }
    if (difference > max_abs) {
      max_abs = difference;
      worst = i;
    }
    if (!(difference <= allowed)) {
      ++bad;
    }
  }
  const double max_rel = scale > 0.0 ? max_abs / scale : (max_abs > 0.0 ? INFINITY : 0.0);

  if (bad == 0) {
    std::printf("%smax abs %.2e, rel %.2e (of max |expected| %.3g): ok\n", header.c_str(), max_abs,
                max_rel, scale);
    return true;
  }
  std::printf("%smax abs %.2e, rel %.2e (of max |expected| %.3g): FAIL, %zu of %zu elements differ "
              "by more than atol + rtol * max|expected| = %.2e; the worst at %s: npujar %.9g, "
              "LibTorch %.9g\n",
              header.c_str(), max_abs, max_rel, scale, bad, b.size(), allowed,
              index_to_string(worst, want.shape).c_str(), a[worst], b[worst]);
  return false;
}

void compare_command(const CompareOptions& options) {
  if (!(options.atol >= 0.0) || !(options.rtol >= 0.0)) {
    throw CommandError{"compare: --atol and --rtol must be 0 or more"};
  }

  format::Manifest manifest;
  try {
    manifest = format::ArchiveReader::open_file(options.archive).manifest();
  } catch (const format::FormatError& error) {
    throw CommandError{"compare: " + options.archive + ": " + error.message()};
  }
  Inputs inputs = make_inputs(options, manifest);
  for (const std::string& line : inputs.descriptions) {
    std::printf("input %s\n", line.c_str());
  }
  if (!options.save_inputs.empty()) {
    std::error_code error;
    std::filesystem::create_directories(options.save_inputs, error);
    for (size_t i = 0; i < inputs.tensors.size(); ++i) {
      std::string path = options.save_inputs + "/" + manifest.inputs[i].name + ".npy";
      try {
        ir::write_npy(path, inputs.tensors[i]);
      } catch (const ir::IrError& write_error) {
        throw CommandError{"compare: --save-inputs: " + std::string(write_error.what())};
      }
    }
  }

  std::vector<ir::HostTensor> expected;
  try {
    expected = importer::run_torchscript(options.model, inputs.tensors, options.float64);
  } catch (const importer::ImportError& error) {
    std::string hint;
    if (std::string(error.what()).find("index out of range") != std::string::npos) {
      hint = "; an integer input probably indexes a table: narrow its values with --int-range or "
             "pass it with --input";
    }
    if (options.float64 && std::string(error.what()).find("Double") != std::string::npos) {
      hint = "; the model's code makes float32 tensors of its own, so it cannot run in float64: "
             "compare without --float64";
    }
    throw CommandError{"compare: " + std::string(error.what()) + hint};
  }
  std::printf("LibTorch%s: %zu output%s\n", options.float64 ? " in float64" : "", expected.size(),
              expected.size() == 1 ? "" : "s");

  runtime::RuntimeOptions runtime_options;
  if (options.threads > 0) {
    runtime_options.num_threads = options.threads;
  }
  std::vector<std::string> failed;
  std::vector<Path> paths = choose_paths(options, runtime_options);
  for (const Path& path : paths) {
    std::vector<ir::HostTensor> outputs;
    std::vector<std::string> names;
    if (path.reference) {
      std::printf("%s\n", path.label.c_str());
      outputs = run_reference_executor("compare", options.archive, inputs.tensors);
      for (const format::TensorSpec& spec : manifest.outputs) names.push_back(spec.name);
    } else {
      runtime::RuntimeOptions path_options = runtime_options;
      path_options.variant = path.variant;
      if (path.jit) {
        path_options.jit_mode = NPUJAR_JIT_FORCE;
      }
      auto start = std::chrono::steady_clock::now();
      auto loaded = runtime::Model::load_file(options.archive, path_options);
      if (!loaded) {
        throw CommandError{"compare: " + path.label + ": " + loaded.status().message()};
      }
      double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      runtime::Model& model = **loaded;
      std::printf("%s (%s; loaded in %.1f ms)\n", model.variant_name().c_str(),
                  model.variant_reason().c_str(), load_ms);
      std::vector<ir::HostTensor> copies = inputs.tensors;
      outputs = run_with_runtime("compare", model, copies);
      for (const runtime::TensorDescription& output : model.outputs()) names.push_back(output.name);
    }

    bool ok = outputs.size() == expected.size();
    if (!ok) {
      std::printf("  FAIL: npujar gives %zu outputs, LibTorch %zu\n", outputs.size(), expected.size());
    }
    for (size_t i = 0; i < outputs.size() && i < expected.size(); ++i) {
      ok = compare_output(names[i], outputs[i], expected[i], options) && ok;
    }
    if (!ok) {
      failed.push_back(path.label);
    }
  }

  if (!failed.empty()) {
    std::string list;
    for (const std::string& label : failed) list += (list.empty() ? "" : ", ") + label;
    char tolerance[96];
    std::snprintf(tolerance, sizeof tolerance, "atol %.1e + rtol %.1e * max|expected|", options.atol,
                  options.rtol);
    throw CommandError{"compare: " + std::to_string(failed.size()) + " of " +
                       std::to_string(paths.size()) + " paths differ from LibTorch beyond " +
                       tolerance + ": " + list};
  }
  std::printf("all %zu path%s match LibTorch within atol %.1e + rtol %.1e * max|expected|\n",
              paths.size(), paths.size() == 1 ? "" : "s", options.atol, options.rtol);
}

#else

void compare_command(const CompareOptions&) {
  throw CommandError{
      "compare: this npujar was built without LibTorch or the runtime; configure with "
      "-DNPUJAR_WITH_TORCH=ON -DNPUJAR_WITH_LLVM=ON"};
}

#endif

}  // namespace

void add_compare_command(CLI::App& app) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* command =
      app.add_subcommand("compare", "Run a .pt model in LibTorch and its archive in npujar, compare outputs");
  command->add_option("model", options->model, "The TorchScript .pt file the archive was packed from")
      ->required();
  command->add_option("archive", options->archive, "The .npujar archive")->required();
  command->add_option("--input,-i", options->inputs,
                      "Input as NAME=FILE.npy, or FILE.npy in model order; others are generated");
  command->add_option("--dim", options->dims, "Value of a symbolic dimension, as SYMBOL=VALUE (default 1)");
  command->add_option("--seed", options->seed, "Seed of the generated inputs")->capture_default_str();
  command->add_option("--int-range", options->int_range,
                      "Range LO:HI (HI excluded) of generated integer inputs")
      ->capture_default_str();
  command->add_option("--variant", options->variants, "Compare this variant; repeat for several");
  command->add_flag("--jit", options->jit, "Compare the JIT-compiled portable bitcode");
  command->add_flag("--all", options->all, "Compare every variant this host can run, and the JIT");
  command->add_flag("--reference", options->reference, "Compare the IR reference executor too");
  command->add_flag("--float64", options->float64,
                    "Run LibTorch in float64, a reference free of float32 rounding");
  command->add_option("--atol", options->atol, "Absolute tolerance")->capture_default_str();
  command->add_option("--rtol", options->rtol, "Tolerance relative to the largest |value| of LibTorch's output")
      ->capture_default_str();
  command->add_option("--threads", options->threads, "Threads for the runs; 0 = physical cores")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--save-inputs", options->save_inputs,
                      "Write the inputs used as DIR/NAME.npy, to rerun them with npujar run");
  command->callback([options] { compare_command(*options); });
}

}  // namespace npujar::cli
