// Loading an NPU variant:
//  1. Open the process's NPU (npu_device.h) and check the variant's
//     requirements against it: graph extension version range, highest
//     opset, the IR format.
//  2. Look the compiled blob up in npujar's cache (<cache dir>/npu), keyed
//     by the IR, the build flags and the device, driver, extension and
//     compiler versions. A hit is loaded as ZE_GRAPH_FORMAT_NATIVE and skips
//     the driver's compiler; a miss, or a hit the driver rejects, hands the
//     serialized IR to the driver (ZE_GRAPH_FORMAT_NGRAPH_LITE), then stores
//     the blob pfnGetNativeBinary returns.
//  3. Check the graph's arguments against the manifest, allocate one
//     host-visible buffer per argument (zeMemAllocHost) and bind it once,
//     run pfnAppendGraphInitialize once, and record one command list that
//     executes the graph.
// Every failure returns a Status; the model logs it and tries the next
// candidate, which is a CPU variant.
//
// Running copies inputs into the bound buffers, submits the recorded list,
// waits on a fence and copies outputs out. The caller's buffers are plain
// host memory the device cannot address, so one copy each way is the
// minimum with the core API. Runs of one executable are serialized by a
// mutex because the bindings and the command list are shared.
#include "npu_backend.h"

#include <xxhash.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "npu_device.h"
#include "npujar/format/error.h"
#include "npujar/runtime/jit_cache.h"
#include "npujar/runtime/log.h"
#include "npujar/runtime/tensor.h"
#include "serialized_ir.h"

namespace npujar::runtime {
namespace {

using npu::NpuDevice;
namespace zg = ze_graph;

constexpr const char* kModelSection = "variant/npu-openvino/model.xml";
constexpr const char* kWeightsSection = "variant/npu-openvino/weights.bin";

std::string property(const format::Variant& variant, const std::string& key) {
  auto found = variant.properties.find(key);
  return found == variant.properties.end() ? std::string() : found->second;
}

// Parses "1.5" into make_version(1, 5); 0 when malformed.
uint32_t parse_version(const std::string& text) {
  size_t dot = text.find('.');
  if (dot == std::string::npos) return 0;
  try {
    return zg::make_version(static_cast<uint32_t>(std::stoul(text.substr(0, dot))),
                            static_cast<uint32_t>(std::stoul(text.substr(dot + 1))));
  } catch (const std::exception&) {
    return 0;
  }
}

std::string version_text(uint32_t version) {
  return std::to_string(zg::version_major(version)) + "." +
         std::to_string(zg::version_minor(version));
}

Status unusable(const std::string& message) {
  return Status(NPUJAR_ERROR_NO_USABLE_VARIANT, message);
}

// Checks what the variant needs from the driver; returns the mismatch.
Status check_requirements(const format::Variant& variant, const NpuDevice& device) {
  uint32_t minimum = parse_version(property(variant, "graph_extension_min"));
  uint32_t maximum = parse_version(property(variant, "graph_extension_max"));
  uint32_t actual = device.extension_version;
  if (minimum == 0 || maximum == 0) {
    return unusable("the variant lacks valid graph_extension_min and graph_extension_max properties");
  }
  // Newer minors keep the 1.x functions, so only the major and the minimum
  // bound are hard limits.
  if (zg::version_major(actual) != zg::version_major(minimum) || actual < minimum) {
    return unusable("the NPU driver's graph extension is " + version_text(actual) +
                    ", the variant needs " + version_text(minimum) + " to " +
                    version_text(maximum) + "; update the NPU driver");
  }
  if ((device.graph_properties.formats_supported & zg::kFormatNgraphLite) == 0) {
    return unusable("the NPU driver cannot compile OpenVINO IR (formats 0x" +
                    std::to_string(device.graph_properties.formats_supported) +
                    "); install the driver's compiler package");
  }
  std::string max_opset = property(variant, "max_opset");
  if (!max_opset.empty() &&
      std::strtoul(max_opset.c_str(), nullptr, 10) > device.graph_properties.max_opset_supported) {
    return unusable("the variant uses opset" + max_opset + ", the NPU compiler supports up to opset" +
                    std::to_string(device.graph_properties.max_opset_supported));
  }
  return Status::ok();
}

std::string cache_key(const std::vector<uint8_t>& serialized, const std::string& flags,
                      const NpuDevice& device) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  XXH3_128bits_update(state, serialized.data(), serialized.size());
  XXH3_128bits_update(state, flags.data(), flags.size());
  std::string identity = device.cache_identity();
  XXH3_128bits_update(state, identity.data(), identity.size());
  XXH128_hash_t hash = XXH3_128bits_digest(state);
  XXH3_freeState(state);
  char text[33];
  std::snprintf(text, sizeof(text), "%016llx%016llx", static_cast<unsigned long long>(hash.high64),
                static_cast<unsigned long long>(hash.low64));
  return text;
}

// One graph argument: its bound host buffer and size.
struct Argument {
  void* buffer = nullptr;
  size_t bytes = 0;
};

class NpuExecutable final : public Executable {
 public:
  NpuExecutable(const NpuDevice& device, std::string label) : device_(device), label_(std::move(label)) {}
  ~NpuExecutable() override;

  Status prepare(ze_graph_handle_t graph, const format::Manifest& manifest,
                 const std::vector<int64_t>& symbol_values);
  Status execute(const ExecutionRequest& request) override;

 private:
  Status check(const char* call, ze_result_t result) const {
    if (result == ZE_RESULT_SUCCESS) return Status::ok();
    return Status(NPUJAR_ERROR_EXECUTION, label_ + ": " + call + " returned " +
                                              npu::ze_result_name(result));
  }
  Status bind_arguments(const format::Manifest& manifest);

  const NpuDevice& device_;
  std::string label_;
  ze_graph_handle_t graph_ = nullptr;
  ze_command_queue_handle_t queue_ = nullptr;
  ze_command_list_handle_t list_ = nullptr;
  ze_fence_handle_t fence_ = nullptr;
  std::vector<Argument> inputs_;
  std::vector<Argument> outputs_;
  std::vector<int64_t> symbol_values_;  // the static values, in manifest.symbols order
  std::mutex mutex_;
};

NpuExecutable::~NpuExecutable() {
  const npu::LevelZeroApi& api = *device_.api;
  if (fence_ != nullptr) api.fence_destroy(fence_);
  if (list_ != nullptr) api.command_list_destroy(list_);
  if (queue_ != nullptr) api.command_queue_destroy(queue_);
  for (const auto* arguments : {&inputs_, &outputs_}) {
    for (const Argument& argument : *arguments) {
      if (argument.buffer != nullptr) api.mem_free(device_.context, argument.buffer);
    }
  }
  if (graph_ != nullptr) device_.graph->destroy(graph_);
}

size_t tensor_bytes(const format::TensorSpec& spec, const std::map<std::string, int64_t>& symbols) {
  std::optional<npujar_dtype> dtype = dtype_from_name(spec.dtype);
  size_t bytes = dtype ? dtype_size(*dtype) : 0;
  for (const format::Dimension& dim : spec.shape) {
    int64_t extent = dim.is_static() ? dim.coefficient : dim.coefficient * symbols.at(dim.symbol);
    bytes *= static_cast<size_t>(extent);
  }
  return bytes;
}

Status NpuExecutable::bind_arguments(const format::Manifest& manifest) {
  std::map<std::string, int64_t> symbols;
  for (size_t i = 0; i < manifest.symbols.size(); ++i) {
    symbols[manifest.symbols[i]] = symbol_values_[i];
  }

  zg::GraphProperties properties{};
  properties.stype = zg::kStructureGraphProperties;
  Status status = check("pfnGetProperties", device_.graph->get_properties(graph_, &properties));
  if (!status) return status;
  size_t expected = manifest.inputs.size() + manifest.outputs.size();
  if (properties.num_graph_args != expected) {
    return Status(NPUJAR_ERROR_COMPILE, label_ + ": the compiled graph has " +
                                            std::to_string(properties.num_graph_args) +
                                            " arguments, the manifest lists " +
                                            std::to_string(expected) + " inputs and outputs");
  }

  // NOTE: arguments are taken as the manifest's inputs, then its outputs,
  // which is the order OpenVINO's NPU plugin assumes. Only the count and
  // each argument's direction are checked, and only the test double has
  // exercised this, not a real NPU driver.
  const npu::LevelZeroApi& api = *device_.api;
  for (uint32_t index = 0; index < properties.num_graph_args; ++index) {
    bool is_input = index < manifest.inputs.size();
    const format::TensorSpec& spec =
        is_input ? manifest.inputs[index] : manifest.outputs[index - manifest.inputs.size()];
    zg::ArgumentProperties argument{};
    argument.stype = zg::kStructureGraphArgumentProperties;
    status = check("pfnGetArgumentProperties",
                   device_.graph->get_argument_properties(graph_, index, &argument));
    if (!status) return status;
    if ((argument.type == zg::kArgumentInput) != is_input) {
      return Status(NPUJAR_ERROR_COMPILE, label_ + ": graph argument " + std::to_string(index) +
                                              " is not the " + (is_input ? "input" : "output") +
                                              " '" + spec.name + "' the manifest lists there");
    }

    Argument bound;
    bound.bytes = tensor_bytes(spec, symbols);
    ze_host_mem_alloc_desc_t desc{ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC, nullptr, 0};
    status = check("zeMemAllocHost", api.mem_alloc_host(device_.context, &desc,
                                                        std::max<size_t>(bound.bytes, 64), 64,
                                                        &bound.buffer));
    if (!status) return status;
    (is_input ? inputs_ : outputs_).push_back(bound);
    status = check("pfnSetArgumentValue",
                   device_.graph->set_argument_value(graph_, index, bound.buffer));
    if (!status) return status;
  }
  return Status::ok();
}

Status NpuExecutable::prepare(ze_graph_handle_t graph, const format::Manifest& manifest,
                              const std::vector<int64_t>& symbol_values) {
  graph_ = graph;
  symbol_values_ = symbol_values;
  Status status = bind_arguments(manifest);
  if (!status) return status;

  const npu::LevelZeroApi& api = *device_.api;
  ze_command_queue_desc_t queue_desc{};
  queue_desc.stype = ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC;
  queue_desc.mode = ZE_COMMAND_QUEUE_MODE_DEFAULT;
  queue_desc.priority = ZE_COMMAND_QUEUE_PRIORITY_NORMAL;
  status = check("zeCommandQueueCreate",
                 api.command_queue_create(device_.context, device_.device, &queue_desc, &queue_));
  if (!status) return status;
  ze_command_list_desc_t list_desc{ZE_STRUCTURE_TYPE_COMMAND_LIST_DESC, nullptr, 0, 0};
  status = check("zeCommandListCreate",
                 api.command_list_create(device_.context, device_.device, &list_desc, &list_));
  if (!status) return status;
  ze_fence_desc_t fence_desc{ZE_STRUCTURE_TYPE_FENCE_DESC, nullptr, 0};
  status = check("zeFenceCreate", api.fence_create(queue_, &fence_desc, &fence_));
  if (!status) return status;

  // Initialization runs once, from the same list, which is then re-recorded
  // with the execution that every run submits.
  status = check("pfnAppendGraphInitialize",
                 device_.graph->append_graph_initialize(list_, graph_, nullptr, 0, nullptr));
  if (!status) return status;
  status = check("zeCommandListClose", api.command_list_close(list_));
  if (!status) return status;
  status = check("zeCommandQueueExecuteCommandLists",
                 api.command_queue_execute_command_lists(queue_, 1, &list_, fence_));
  if (!status) return status;
  status = check("zeFenceHostSynchronize", api.fence_host_synchronize(fence_, UINT64_MAX));
  if (!status) return status;

  for (auto [call, result] :
       {std::pair{"zeFenceReset", api.fence_reset(fence_)},
        std::pair{"zeCommandListReset", api.command_list_reset(list_)},
        std::pair{"pfnAppendGraphExecute",
                  device_.graph->append_graph_execute(list_, graph_, nullptr, nullptr, 0, nullptr)},
        std::pair{"zeCommandListClose", api.command_list_close(list_)}}) {
    status = check(call, result);
    if (!status) return status;
  }
  return Status::ok();
}

Status NpuExecutable::execute(const ExecutionRequest& request) {
  for (size_t i = 0; i < symbol_values_.size(); ++i) {
    if (request.symbols[i] != symbol_values_[i]) {
      return Status(NPUJAR_ERROR_SHAPE_MISMATCH,
                    label_ + ": the NPU variant was packed for static shapes with symbol value " +
                        std::to_string(symbol_values_[i]) + ", the inputs give " +
                        std::to_string(request.symbols[i]) +
                        "; pack with --npu-batch or run on the CPU (NPUJAR_DEVICE=cpu)");
    }
  }

  const npu::LevelZeroApi& api = *device_.api;
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < inputs_.size(); ++i) {
    std::memcpy(inputs_[i].buffer, request.inputs[i], inputs_[i].bytes);
  }
  Status status = check("zeCommandQueueExecuteCommandLists",
                        api.command_queue_execute_command_lists(queue_, 1, &list_, fence_));
  if (status) {
    status = check("zeFenceHostSynchronize", api.fence_host_synchronize(fence_, UINT64_MAX));
  }
  Status reset = check("zeFenceReset", api.fence_reset(fence_));
  if (!status) return status;
  if (!reset) return reset;
  for (size_t i = 0; i < outputs_.size(); ++i) {
    std::memcpy(request.outputs[i], outputs_[i].buffer, outputs_[i].bytes);
  }
  return Status::ok();
}

// Returns the driver's build log when the extension has one (1.4 and
// later). After a failed pfnCreate there is no graph, and `graph` is null:
// the driver then returns the log of the latest failed build, which is how
// OpenVINO's NPU plugin reads compile errors too.
std::string build_log(const NpuDevice& device, ze_graph_handle_t graph) {
  if (device.extension_version < zg::make_version(1, 4) ||
      device.graph->build_log_get_string == nullptr) {
    return {};
  }
  uint32_t size = 0;
  if (device.graph->build_log_get_string(graph, &size, nullptr) != ZE_RESULT_SUCCESS || size == 0) {
    return {};
  }
  std::string log(size, '\0');
  if (device.graph->build_log_get_string(graph, &size, log.data()) != ZE_RESULT_SUCCESS) return {};
  log.resize(strnlen(log.c_str(), log.size()));
  return log;
}

class LevelZeroNpuBackend final : public Backend {
 public:
  const char* name() const override { return "level-zero-npu"; }

  bool handles(const format::Variant& variant, LoadAction action) const override {
    return action == LoadAction::kDevice && variant.kind == "npu" && variant.format == "openvino-ir";
  }

  Result<std::unique_ptr<Executable>> load(const LoadRequest& request) override;

 private:
  Result<ze_graph_handle_t> create_graph(const NpuDevice& device, const LoadRequest& request,
                                         zg::GraphFormat format, const std::vector<uint8_t>& input,
                                         const std::string& flags);
};

Result<ze_graph_handle_t> LevelZeroNpuBackend::create_graph(const NpuDevice& device,
                                                            const LoadRequest& request,
                                                            zg::GraphFormat format,
                                                            const std::vector<uint8_t>& input,
                                                            const std::string& flags) {
  zg::GraphDesc desc{};
  desc.stype = zg::kStructureGraphDesc;
  desc.format = format;
  desc.input_size = input.size();
  desc.input = input.data();
  desc.build_flags = format == zg::kFormatNgraphLite ? flags.c_str() : nullptr;
  ze_graph_handle_t graph = nullptr;
  ze_result_t result = device.graph->create(device.context, device.device, &desc, &graph);
  if (result == ZE_RESULT_SUCCESS && graph != nullptr) {
    return graph;
  }
  std::string log = build_log(device, graph);
  if (graph != nullptr) device.graph->destroy(graph);
  return Status(NPUJAR_ERROR_COMPILE,
                request.label + ": pfnCreate (" +
                    (format == zg::kFormatNative ? "native blob" : "OpenVINO IR") + ") returned " +
                    npu::ze_result_name(result) + (log.empty() ? "" : ": " + log));
}

Result<std::unique_ptr<Executable>> LevelZeroNpuBackend::load(const LoadRequest& request) {
  auto started = std::chrono::steady_clock::now();
  Result<const NpuDevice*> opened = npu::open_npu_device();
  if (!opened) return opened.status().with_context(request.label);
  const NpuDevice& device = **opened;
  Status requirements = check_requirements(*request.variant, device);
  if (!requirements) return requirements.with_context(request.label + " on " + device.describe());

  const format::Manifest& manifest = request.archive->manifest();
  format::ByteView xml;
  format::ByteView weights;
  try {
    xml = request.archive->section_bytes(kModelSection);
    weights = request.archive->section_bytes(kWeightsSection);
  } catch (const format::FormatError& error) {
    return Status(NPUJAR_ERROR_INVALID_ARCHIVE, request.label + ": " + error.message());
  }

  // Symbols are fixed to the values the variant was packed with.
  std::vector<int64_t> symbol_values(manifest.symbols.size(), 1);
  // The property reads "N=1 S=128"; a leading space anchors each name.
  std::string fixed = " " + property(*request.variant, "symbol_values");
  for (size_t i = 0; i < manifest.symbols.size(); ++i) {
    std::string key = " " + manifest.symbols[i] + "=";
    size_t at = fixed.find(key);
    if (at != std::string::npos) {
      symbol_values[i] = std::strtoll(fixed.c_str() + at + key.size(), nullptr, 10);
    }
    if (symbol_values[i] <= 0) {
      return Status(NPUJAR_ERROR_INVALID_ARCHIVE, request.label + ": symbol_values '" + fixed +
                                                      "' gives " + manifest.symbols[i] +
                                                      " no positive value");
    }
  }

  std::vector<uint8_t> serialized =
      npu::serialize_ir(device.graph_properties.compiler_version, xml.data, xml.size, weights.data,
                        weights.size);
  std::string flags = npu::build_flags(manifest);
  JitCache cache(request.options->use_cache && !request.options->cache_dir.empty()
                     ? request.options->cache_dir + "/npu"
                     : std::string());
  std::string key = cache_key(serialized, flags, device);

  ze_graph_handle_t graph = nullptr;
  if (std::optional<std::vector<uint8_t>> blob = cache.load(key)) {
    Result<ze_graph_handle_t> created = create_graph(device, request, zg::kFormatNative, *blob, flags);
    if (created) {
      graph = *created;
      if (request.stats != nullptr) request.stats->cache_hit = true;
      log_info(request.label + ": loaded the compiled NPU blob from " + cache.entry_path(key));
    } else {
      log_warn(created.status().message() + "; compiling the IR instead");
    }
  }
  if (graph == nullptr) {
    auto compile_started = std::chrono::steady_clock::now();
    Result<ze_graph_handle_t> created =
        create_graph(device, request, zg::kFormatNgraphLite, serialized, flags);
    if (!created) return created.status();
    graph = *created;
    if (request.stats != nullptr) {
      request.stats->compile_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - compile_started).count();
    }
    size_t size = 0;
    std::vector<uint8_t> blob;
    if (cache.enabled() && device.graph->get_native_binary(graph, &size, nullptr) == ZE_RESULT_SUCCESS &&
        size > 0) {
      blob.resize(size);
      if (device.graph->get_native_binary(graph, &size, blob.data()) == ZE_RESULT_SUCCESS) {
        Status stored = cache.store(key, blob);
        if (!stored) log_warn(request.label + ": caching the NPU blob failed: " + stored.message());
      }
    }
  }

  auto executable = std::make_unique<NpuExecutable>(device, request.label);
  Status prepared = executable->prepare(graph, manifest, symbol_values);
  if (!prepared) return prepared;
  if (request.stats != nullptr) {
    request.stats->load_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  log_info(request.label + ": running on " + device.describe());
  return Result<std::unique_ptr<Executable>>(std::move(executable));
}

}  // namespace

std::unique_ptr<Backend> make_level_zero_npu_backend() {
  return std::make_unique<LevelZeroNpuBackend>();
}

std::string describe_npu() {
  Result<const npu::NpuDevice*> opened = npu::open_npu_device();
  if (!opened) return "npu: none (" + opened.status().message() + ")";
  return "npu: " + (*opened)->describe();
}

}  // namespace npujar::runtime
