#include "jit_harness.h"

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/ExecutionEngine/JITLink/JITLinkMemoryManager.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/SubtargetFeature.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/MemoryBuffer.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>

#include "module_pipeline.h"
#include "npujar/ir/reference.h"
#include "npujar/ir/serialize.h"
#include "npujar_model_abi.h"
#include "prepack.h"

namespace npujar::codegen::testing {
namespace {

void serial_parallel_for(void* pool, int64_t count, npujar_task_fn body, void* context) {
  if (count > 0) body(context, 0, count);
}

template <typename T>
T unwrap(llvm::Expected<T> value, const char* what) {
  if (!value) throw std::runtime_error(std::string(what) + ": " + llvm::toString(value.takeError()));
  return std::move(*value);
}

void check(llvm::Error error, const char* what) {
  if (error) throw std::runtime_error(std::string(what) + ": " + llvm::toString(std::move(error)));
}

// Address of each runtime symbol in this process.
llvm::orc::SymbolMap runtime_symbol_map(llvm::orc::ExecutionSession& session) {
  using FloatFn = float (*)(float);
  using Float2Fn = float (*)(float, float);
  std::map<std::string, void*> addresses = {
      {"memcpy", reinterpret_cast<void*>(&std::memcpy)},
      {"memset", reinterpret_cast<void*>(&std::memset)},
      {"memmove", reinterpret_cast<void*>(&std::memmove)},
      {"expf", reinterpret_cast<void*>(static_cast<FloatFn>(&::expf))},
      {"logf", reinterpret_cast<void*>(static_cast<FloatFn>(&::logf))},
      {"tanhf", reinterpret_cast<void*>(static_cast<FloatFn>(&::tanhf))},
      {"erff", reinterpret_cast<void*>(static_cast<FloatFn>(&::erff))},
      {"sqrtf", reinterpret_cast<void*>(static_cast<FloatFn>(&::sqrtf))},
      {"powf", reinterpret_cast<void*>(static_cast<Float2Fn>(&::powf))},
      {"fmaxf", reinterpret_cast<void*>(static_cast<Float2Fn>(&::fmaxf))},
      {"fminf", reinterpret_cast<void*>(static_cast<Float2Fn>(&::fminf))},
      {"floorf", reinterpret_cast<void*>(static_cast<FloatFn>(&::floorf))},
      {"ceilf", reinterpret_cast<void*>(static_cast<FloatFn>(&::ceilf))},
      {"roundf", reinterpret_cast<void*>(static_cast<FloatFn>(&::roundf))},
  };
  llvm::orc::SymbolMap map;
  for (const std::string& name : runtime_symbols()) {
    auto it = addresses.find(name);
    if (it == addresses.end()) throw std::runtime_error("test harness lacks runtime symbol " + name);
    map[session.intern(name)] = llvm::JITEvaluatedSymbol(
        llvm::pointerToJITTargetAddress(it->second), llvm::JITSymbolFlags::Exported);
  }
  return map;
}

struct AlignedBuffer {
  explicit AlignedBuffer(size_t bytes)
      : data(static_cast<uint8_t*>(std::aligned_alloc(64, std::max<size_t>(64, (bytes + 63) / 64 * 64)))) {}
  ~AlignedBuffer() { std::free(data); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  uint8_t* data;
};

}  // namespace

PreparedGraph prepare(ir::Graph graph) {
  PreparedGraph prepared;
  prepack_weights(graph);
  prepared.graph = std::move(graph);
  prepared.layout = ir::layout_weights(prepared.graph);
  prepared.weights = ir::serialize_weights(prepared.graph);
  prepared.plan = plan_graph_memory(prepared.graph);
  return prepared;
}

PreparedGraph prepare_round_trip(ir::Graph graph) {
  prepack_weights(graph);
  PreparedGraph prepared;
  std::vector<uint8_t> graph_bytes = ir::serialize_graph(graph, &prepared.layout);
  prepared.weights = ir::serialize_weights(graph);
  prepared.graph = ir::deserialize_graph(graph_bytes, prepared.weights);
  prepared.plan = plan_graph_memory(prepared.graph);
  return prepared;
}

const TargetSpec& target_named(const std::string& name) {
  for (const TargetSpec& target : all_targets()) {
    if (target.variant_name == name) return target;
  }
  throw std::runtime_error("no target " + name);
}

bool host_supports(const TargetSpec& target) {
  llvm::StringMap<bool> features;
  if (!llvm::sys::getHostCPUFeatures(features)) return false;
  for (const std::string& feature : target.features) {
    if (!features.lookup(feature)) return false;
  }
  return true;
}

std::vector<ir::HostTensor> run_variant(const PreparedGraph& prepared,
                                        const CompiledVariant& variant,
                                        const std::vector<ir::HostTensor>& inputs) {
  initialize_llvm_targets();
  // JITLink, as the runtime links variants; LLVM 15's default for ELF
  // x86-64 would be RuntimeDyld, which accepts objects JITLink may not.
  auto jit = unwrap(
      llvm::orc::LLJITBuilder()
          .setObjectLinkingLayerCreator(
              [](llvm::orc::ExecutionSession& session, const llvm::Triple&)
                  -> llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>> {
                auto memory = llvm::jitlink::InProcessMemoryManager::Create();
                if (!memory) return memory.takeError();
                return std::make_unique<llvm::orc::ObjectLinkingLayer>(session, std::move(*memory));
              })
          .create(),
      "creating LLJIT");
  llvm::orc::JITDylib& library = jit->getMainJITDylib();
  check(library.define(llvm::orc::absoluteSymbols(runtime_symbol_map(jit->getExecutionSession()))),
        "defining runtime symbols");

  llvm::StringRef bytes(reinterpret_cast<const char*>(variant.bytes.data()), variant.bytes.size());
  if (variant.target.format == OutputFormat::kObject) {
    check(jit->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(bytes, "variant")),
          "adding object");
  } else {
    auto context = std::make_unique<llvm::LLVMContext>();
    auto module = unwrap(llvm::parseBitcodeFile(llvm::MemoryBufferRef(bytes, "variant"), *context),
                         "parsing bitcode");
    check(jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context))),
          "adding bitcode");
  }
  auto entry_address = unwrap(jit->lookup(NPUJAR_ENTRY_SYMBOL), "looking up entry");
  auto entry = entry_address.toPtr<npujar_model_entry_fn>();

  const ir::Graph& graph = prepared.graph;
  std::map<std::string, int64_t> symbol_values = ir::bind_symbols(graph, inputs);
  std::vector<int64_t> symbols;
  for (const std::string& name : graph.symbols()) symbols.push_back(symbol_values.at(name));

  std::vector<ir::HostTensor> outputs;
  for (int output : graph.outputs) {
    std::vector<int64_t> shape;
    for (const ir::Dim& dim : graph.values[output].shape) shape.push_back(dim.resolve(symbol_values));
    outputs.push_back(ir::HostTensor::zeros(graph.values[output].dtype, shape));
  }
  std::vector<const void*> input_pointers;
  for (const ir::HostTensor& input : inputs) input_pointers.push_back(input.data.data());
  std::vector<void*> output_pointers;
  for (ir::HostTensor& output : outputs) output_pointers.push_back(output.data.data());

  AlignedBuffer weights(prepared.weights.size());
  std::memcpy(weights.data, prepared.weights.data(), prepared.weights.size());
  AlignedBuffer arena(static_cast<size_t>(prepared.plan.arena_bytes.evaluate(symbol_values)));

  npujar_model_args args{};
  args.inputs = input_pointers.data();
  args.outputs = output_pointers.data();
  args.weights = weights.data;
  args.arena = arena.data;
  args.symbols = symbols.data();
  args.parallel_for = serial_parallel_for;
  args.pool = nullptr;
  args.num_threads = 1;
  int32_t status = entry(&args);
  if (status != 0) throw std::runtime_error("npujar_model_run returned " + std::to_string(status));
  return outputs;
}

double max_abs_difference(const ir::HostTensor& a, const ir::HostTensor& b) {
  if (a.shape != b.shape) return std::numeric_limits<double>::infinity();
  std::vector<double> x = ir::to_doubles(a);
  std::vector<double> y = ir::to_doubles(b);
  double difference = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(y[i])) return std::numeric_limits<double>::infinity();
    difference = std::max(difference, std::abs(x[i] - y[i]));
  }
  return difference;
}

ir::HostTensor random_tensor(std::vector<int64_t> shape, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> distribution(-1.0f, 1.0f);
  int64_t count = 1;
  for (int64_t extent : shape) count *= extent;
  std::vector<float> values(static_cast<size_t>(count));
  for (float& value : values) value = distribution(random);
  return ir::HostTensor::from_f32(std::move(shape), values);
}

int add_input(ir::Graph& graph, const std::string& name, ir::Shape shape) {
  ir::Value value;
  value.name = name;
  value.shape = std::move(shape);
  value.kind = ir::ValueKind::kInput;
  int index = graph.add_value(std::move(value));
  graph.inputs.push_back(index);
  return index;
}

int add_intermediate(ir::Graph& graph, const std::string& name, ir::Shape shape) {
  ir::Value value;
  value.name = name;
  value.shape = std::move(shape);
  return graph.add_value(std::move(value));
}

int add_constant(ir::Graph& graph, const std::string& name, std::vector<int64_t> shape,
                 unsigned seed) {
  ir::HostTensor tensor = random_tensor(shape, seed);
  ir::Value value;
  value.name = name;
  for (int64_t extent : shape) value.shape.push_back(ir::Dim::fixed(extent));
  value.kind = ir::ValueKind::kConstant;
  value.data = tensor.data;
  return graph.add_value(std::move(value));
}

ir::Node& add_node(ir::Graph& graph, const std::string& op, std::vector<int> inputs,
                   std::vector<int> outputs) {
  ir::Node node;
  node.op = op;
  node.inputs = std::move(inputs);
  node.outputs = std::move(outputs);
  graph.nodes.push_back(std::move(node));
  return graph.nodes.back();
}

}  // namespace npujar::codegen::testing
