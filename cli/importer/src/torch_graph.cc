// The walker: lowers a frozen, inlined TorchScript graph into the IR.
//
// It keeps an environment from TorchScript values to ImportValues. Tensor
// operations go through the registry's lowering functions and become IR
// nodes; everything else (ints, lists, shape checks) is evaluated here at
// import time. Control flow is decided statically: prim::If takes the branch
// its condition selects once input shapes are fixed, and prim::Loop is
// unrolled. In-place operators are rewritten to functional form by
// rebinding the mutated TorchScript value to the new IR value, which is
// exactly what every later use must see, unless another view of the same
// storage is read afterwards, which is rejected.
//
// Before lowering anything, a pre-pass lists every node kind without a
// lowering, so one run reports them all.
#include <map>
#include <set>
#include <unordered_map>

#include "lowering.h"
#include "npujar/ir/validate.h"
#include "npujar/ir/error.h"
#include "torch_import.h"

namespace npujar::importer {

namespace {

using torch::jit::Block;
using torch::jit::Node;
using torch::jit::Value;

constexpr int64_t kMaxLoopIterations = 100000;

// Kinds whose output shares storage with their first input.
bool is_view_kind(const std::string& kind) {
  static const std::set<std::string> kinds = {
      "aten::view", "aten::reshape", "aten::flatten", "aten::squeeze", "aten::unsqueeze",
      "aten::transpose", "aten::permute", "aten::t", "aten::expand", "aten::expand_as",
      "aten::slice", "aten::select", "aten::narrow", "aten::chunk", "aten::split",
      "aten::split_with_sizes", "aten::unbind", "aten::contiguous", "aten::detach",
      "aten::view_as", "aten::reshape_as", "aten::alias", "prim::ConstantChunk",
      "prim::ListUnpack", "aten::__getitem__", "aten::unflatten",
  };
  return kinds.count(kind) != 0;
}

bool block_raises(const Block* block) {
  for (const Node* node : block->nodes()) {
    if (node->kind() == c10::prim::RaiseException) return true;
  }
  return false;
}

// Every node without a lowering, outside blocks that only raise errors.
void collect_unsupported(const Block* block, std::map<std::string, std::vector<std::string>>* found) {
  if (block_raises(block)) return;
  for (const Node* node : block->nodes()) {
    std::string kind = node->kind().toQualString();
    if (find_lowering(kind) == nullptr) {
      std::string line = source_line(node);
      (*found)[kind].push_back(source_location(node) + (line.empty() ? "" : ": " + line));
    }
    for (const Block* inner : node->blocks()) collect_unsupported(inner, found);
  }
}

ir::DType dtype_of(const at::Tensor& tensor, const std::string& name) {
  switch (tensor.scalar_type()) {
    case at::kFloat:
    case at::kDouble:
      return ir::DType::kF32;
    case at::kHalf:
      return ir::DType::kF16;
    case at::kBFloat16:
      return ir::DType::kBF16;
    case at::kLong:
      return ir::DType::kI64;
    case at::kInt:
      return ir::DType::kI32;
    case at::kChar:
      return ir::DType::kI8;
    case at::kByte:
      return ir::DType::kU8;
    case at::kBool:
      return ir::DType::kBool;
    default:
      throw ImportError("constant tensor '" + name + "' has dtype " + c10::toString(tensor.scalar_type()) +
                        ", which the IR does not have");
  }
}

class Walker {
 public:
  Walker(GraphBuilder& builder, std::string path) : builder_(builder), path_(std::move(path)) {}

  void bind_inputs(const torch::jit::Graph& graph, const torch::jit::Module& module,
                   const std::vector<InputSpec>& specs);
  void walk(const Block* block);
  void bind_outputs(const torch::jit::Graph& graph);

 private:
  ImportValue lookup(const Value* value) const;
  void bind(const Value* value, ImportValue import_value);
  ImportValue convert_constant(const c10::IValue& constant, const std::string& name);
  void lower_node(const Node* node);
  void lower_if(const Node* node);
  void lower_loop(const Node* node);
  void lower_get_attr(const Node* node);
  void lower_registered(const Node* node, const std::string& kind);
  void track_aliases(const Node* node, const std::string& kind);
  void check_inplace_aliasing(const Node* node, const std::string& kind);
  [[noreturn]] void fail(const Node* node, const std::string& message) const;
  void flatten_output(const ImportValue& value, std::vector<int>* outputs) const;

  GraphBuilder& builder_;
  std::string path_;
  std::unordered_map<const Value*, ImportValue> env_;
  std::unordered_map<const Value*, c10::IValue> objects_;
  // Storage groups: values that share memory with each other (views).
  std::unordered_map<const Value*, int> storage_;
  std::unordered_map<int, std::vector<const Value*>> storage_members_;
  int next_storage_ = 0;
};

void Walker::fail(const Node* node, const std::string& message) const {
  throw ImportError(path_ + ": " + node->kind().toQualString() + " at " + source_location(node) + ": " + message);
}

ImportValue Walker::lookup(const Value* value) const {
  auto it = env_.find(value);
  if (it != env_.end()) return it->second;
  if (objects_.count(value) != 0) return ImportValue::opaque("module object");
  throw ImportError(path_ + ": internal error: TorchScript value %" + value->debugName() +
                    " is used before it was lowered");
}

void Walker::bind(const Value* value, ImportValue import_value) { env_[value] = std::move(import_value); }

ImportValue Walker::convert_constant(const c10::IValue& constant, const std::string& name) {
  if (constant.isNone()) return ImportValue::none();
  if (constant.isBool()) return ImportValue::of_bool(constant.toBool());
  if (constant.isInt()) return ImportValue::of_int(constant.toInt());
  if (constant.isDouble()) return ImportValue::of_float(constant.toDouble());
  if (constant.isString()) return ImportValue::of_string(constant.toStringRef());
  if (constant.isDevice()) return ImportValue::opaque("device " + constant.toDevice().str());
  if (constant.isTensor()) {
    at::Tensor tensor = constant.toTensor().detach().cpu().contiguous();
    ir::DType dtype = dtype_of(tensor, name);
    if (tensor.scalar_type() == at::kDouble) tensor = tensor.to(at::kFloat);
    if (tensor.dim() == 0 && dtype != ir::DType::kF16 && dtype != ir::DType::kBF16) {
      // 0-d constants act like Python numbers in arithmetic (type promotion
      // treats them so), and traced shape arithmetic relies on that.
      ImportValue number = is_float_dtype(dtype) ? ImportValue::of_float(tensor.item<double>())
                           : dtype == ir::DType::kBool ? ImportValue::of_bool(tensor.item<bool>())
                                                        : ImportValue::of_int(tensor.item<int64_t>());
      number.number_tensor = true;
      return number;
    }
    std::vector<uint8_t> data(tensor.nbytes());
    if (!data.empty()) std::memcpy(data.data(), tensor.data_ptr(), data.size());
    return ImportValue::of_tensor(builder_.add_constant(name, dtype, tensor.sizes().vec(), std::move(data)));
  }
  if (constant.isList() || constant.isTuple()) {
    std::vector<ImportValue> items;
    if (constant.isList()) {
      for (const c10::IValue& item : constant.toListRef()) items.push_back(convert_constant(item, name));
      return ImportValue::of_list(std::move(items));
    }
    for (const c10::IValue& item : constant.toTupleRef().elements()) items.push_back(convert_constant(item, name));
    return ImportValue::of_tuple(std::move(items));
  }
  return ImportValue::opaque(constant.tagKind() + " constant");
}

void Walker::bind_inputs(const torch::jit::Graph& graph, const torch::jit::Module& module,
                         const std::vector<InputSpec>& specs) {
  auto inputs = graph.inputs();
  std::vector<const Value*> arguments;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i == 0 && inputs[i]->type()->kind() == c10::TypeKind::ClassType) {
      objects_[inputs[i]] = module._ivalue();
      continue;
    }
    arguments.push_back(inputs[i]);
  }

  if (arguments.size() != specs.size()) {
    std::string names;
    for (const Value* argument : arguments) names += (names.empty() ? "" : ", ") + argument->debugName();
    throw ImportError(path_ + ": forward() takes " + std::to_string(arguments.size()) + " inputs (" + names +
                      ") but " + std::to_string(specs.size()) +
                      " were given; pass one --input NAME:DTYPE[SHAPE] per argument, in this order");
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    if (!arguments[i]->type()->isSubtypeOf(*c10::TensorType::get())) {
      throw ImportError(path_ + ": forward() argument '" + arguments[i]->debugName() + "' has type " +
                        arguments[i]->type()->str() + "; only tensor arguments are supported");
    }
    bind(arguments[i], ImportValue::of_tensor(builder_.add_input(specs[i].name, specs[i].dtype, specs[i].shape)));
  }
}

void Walker::walk(const Block* block) {
  for (const Node* node : block->nodes()) lower_node(node);
}

void Walker::lower_node(const Node* node) {
  std::string kind = node->kind().toQualString();
  builder_.set_source(source_location(node));

  if (kind == "prim::Constant") {
    auto constant = torch::jit::toIValue(node->output());
    if (!constant) fail(node, "the constant has no value");
    if (constant->isObject() || constant->isModule()) {
      objects_[node->output()] = *constant;
    } else {
      bind(node->output(), convert_constant(*constant, node->output()->debugName()));
    }
    return;
  }
  if (kind == "prim::If") return lower_if(node);
  if (kind == "prim::Loop") return lower_loop(node);
  if (kind == "prim::GetAttr") return lower_get_attr(node);
  if (kind == "prim::RaiseException") {
    std::string message = node->inputs().empty() ? "" : describe(lookup(node->input(0)), builder_.graph());
    fail(node, "the model raises an exception for the given input shapes: " + message +
                   "; check the --input shapes against what the model expects");
  }
  if (kind == "prim::CallMethod" || kind == "prim::CallFunction") {
    fail(node, "a call was left after inlining; this model's structure is not supported");
  }
  lower_registered(node, kind);
}

void Walker::lower_if(const Node* node) {
  ImportValue condition = lookup(node->input(0));
  bool condition_true = false;
  if (condition.kind == ImportValue::Kind::kBool) {
    condition_true = condition.flag;
  } else if (condition.kind == ImportValue::Kind::kInt && condition.integer.is_static()) {
    condition_true = condition.integer.coefficient != 0;
  } else {
    fail(node, "the condition is " + describe(condition, builder_.graph()) +
                   ", which is not known at import time; only conditions on shapes and constants are supported");
  }
  const Block* block = node->blocks()[condition_true ? 0 : 1];
  walk(block);
  for (size_t i = 0; i < node->outputs().size(); ++i) bind(node->output(i), lookup(block->outputs()[i]));
}

void Walker::lower_loop(const Node* node) {
  ImportValue trip_count = lookup(node->input(0));
  ImportValue condition = lookup(node->input(1));
  if (trip_count.kind != ImportValue::Kind::kInt || !trip_count.integer.is_static() ||
      condition.kind != ImportValue::Kind::kBool) {
    fail(node, "the trip count and condition must be known at import time");
  }
  std::vector<ImportValue> carried;
  for (size_t i = 2; i < node->inputs().size(); ++i) carried.push_back(lookup(node->input(i)));

  const Block* body = node->blocks()[0];
  int64_t limit = trip_count.integer.coefficient;
  for (int64_t iteration = 0; iteration < limit && condition.flag; ++iteration) {
    if (iteration >= kMaxLoopIterations) fail(node, "the loop runs more than 100000 iterations");
    bind(body->inputs()[0], ImportValue::of_int(iteration));
    for (size_t i = 0; i < carried.size(); ++i) bind(body->inputs()[i + 1], carried[i]);
    walk(body);
    condition = lookup(body->outputs()[0]);
    if (condition.kind != ImportValue::Kind::kBool) fail(node, "the loop condition is not known at import time");
    for (size_t i = 0; i < carried.size(); ++i) carried[i] = lookup(body->outputs()[i + 1]);
  }
  for (size_t i = 0; i < node->outputs().size(); ++i) bind(node->output(i), carried.at(i));
}

void Walker::lower_get_attr(const Node* node) {
  auto it = objects_.find(node->input(0));
  if (it == objects_.end() || !it->second.isObject()) fail(node, "the attribute's owner is not a module");
  const std::string& name = node->s(c10::attr::name);
  c10::IValue attribute = it->second.toObject()->getAttr(name);
  if (attribute.isObject() || attribute.isModule()) {
    objects_[node->output()] = attribute;
  } else {
    bind(node->output(), convert_constant(attribute, node->output()->debugName()));
  }
}

void Walker::lower_registered(const Node* node, const std::string& kind) {
  std::vector<ImportValue> inputs;
  for (const Value* input : node->inputs()) inputs.push_back(lookup(input));
  std::string lowering_kind = kind;
  if (kind == "prim::ConstantChunk") {
    inputs.push_back(ImportValue::of_int(node->i(c10::attr::chunks)));
    inputs.push_back(ImportValue::of_int(node->i(c10::attr::dim)));
    lowering_kind = "aten::chunk";
  }

  const Lowering* row = find_lowering(lowering_kind);
  if (row == nullptr || row->lower == nullptr) fail(node, "no lowering for this operator");
  bool inplace = row->kind != lowering_kind;
  if (inplace) check_inplace_aliasing(node, kind);

  LoweringContext context(builder_, inplace ? row->kind : lowering_kind, std::move(inputs), node->outputs().size());
  std::vector<ImportValue> outputs;
  try {
    outputs = row->lower(context);
  } catch (const ImportError& error) {
    throw ImportError(path_ + ": " + error.what());
  }

  if (kind == "prim::ConstantChunk" && outputs.size() == 1 && outputs[0].kind == ImportValue::Kind::kList) {
    outputs = *outputs[0].items;
  }
  if (outputs.size() != node->outputs().size()) {
    fail(node, "the lowering produced " + std::to_string(outputs.size()) + " values for " +
                   std::to_string(node->outputs().size()) + " outputs");
  }

  if (inplace) {
    // The mutated value and the in-place node's result both refer to the
    // new tensor from here on, in the dtype of the mutated tensor.
    ImportValue self = lookup(node->input(0));
    if (self.is_tensor() && outputs[0].is_tensor()) {
      outputs[0] = ImportValue::of_tensor(builder_.cast(outputs[0].tensor, builder_.dtype(self.tensor)));
    }
    bind(node->input(0), outputs[0]);
  }
  for (size_t i = 0; i < outputs.size(); ++i) bind(node->output(i), outputs[i]);
  track_aliases(node, inplace ? "inplace" : kind);
}

// Puts the outputs of view operators and in-place operators into the
// storage group of their first input.
void Walker::track_aliases(const Node* node, const std::string& kind) {
  if (node->inputs().empty() || (kind != "inplace" && !is_view_kind(kind))) return;
  const Value* base = node->input(0);
  auto it = storage_.find(base);
  int group = 0;
  if (it == storage_.end()) {
    group = next_storage_++;
    storage_[base] = group;
    storage_members_[group].push_back(base);
  } else {
    group = it->second;
  }
  for (const Value* output : node->outputs()) {
    storage_[output] = group;
    storage_members_[group].push_back(output);
  }
}

void Walker::check_inplace_aliasing(const Node* node, const std::string& kind) {
  auto it = storage_.find(node->input(0));
  if (it == storage_.end()) return;
  for (const Value* other : storage_members_[it->second]) {
    if (other == node->input(0)) continue;
    for (const torch::jit::Use& use : other->uses()) {
      if (use.user != node && use.user->isAfter(node)) {
        fail(node, "the in-place update writes to storage that %" + other->debugName() +
                       " (a view of the same tensor) reads later; use the out-of-place form (" +
                       functional_kind(kind) + ") in the model");
      }
    }
  }
}

void Walker::flatten_output(const ImportValue& value, std::vector<int>* outputs) const {
  if (value.kind == ImportValue::Kind::kTuple || value.kind == ImportValue::Kind::kList) {
    for (const ImportValue& item : *value.items) flatten_output(item, outputs);
    return;
  }
  if (!value.is_tensor()) {
    throw ImportError(path_ + ": forward() returns " + describe(value, builder_.graph()) +
                      "; only tensors (and tuples or lists of them) can be model outputs");
  }
  outputs->push_back(value.tensor);
}

void Walker::bind_outputs(const torch::jit::Graph& graph) {
  builder_.set_source("");
  std::vector<int> outputs;
  for (const Value* output : graph.outputs()) flatten_output(lookup(output), &outputs);

  ir::Graph& result = builder_.graph();
  std::set<int> seen;
  std::set<std::string> names;
  for (size_t i = 0; i < outputs.size(); ++i) {
    int index = outputs[i];
    // Each output gets its own intermediate value, so the runtime never
    // aliases an output with an input, a constant or another output.
    if (result.values[index].kind != ir::ValueKind::kIntermediate || seen.count(index) != 0) {
      index = builder_.emit("identity", {index});
    }
    seen.insert(index);
    std::string name = "output" + std::to_string(i);
    result.values[index].name = name;
    names.insert(name);
    result.outputs.push_back(index);
  }
}

}  // namespace

ir::Graph import_torchscript(const std::string& path, const std::vector<InputSpec>& inputs,
                             const ImportOptions& options) {
  torch::jit::Module module = load_frozen_module(path);
  std::shared_ptr<torch::jit::Graph> graph = inlined_forward_graph(module, path);

  std::map<std::string, std::vector<std::string>> unsupported;
  collect_unsupported(graph->block(), &unsupported);
  if (!unsupported.empty()) {
    std::string list;
    size_t count = 0;
    for (const auto& [kind, locations] : unsupported) {
      for (const std::string& location : locations) {
        list += "\n  " + kind + " at " + location;
        ++count;
      }
    }
    throw ImportError(path + ": the model uses " + std::to_string(unsupported.size()) +
                      " operator kinds that npujar does not support (" + std::to_string(count) +
                      " nodes):" + list + "\nReplace them in the model, or add lowerings in cli/importer/ "
                      "(docs/operators.md lists what is supported)");
  }

  ir::Graph result;
  result.name = options.model_name;
  if (result.name.empty()) {
    size_t slash = path.find_last_of('/');
    std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
    result.name = file.substr(0, file.rfind('.'));
  }

  GraphBuilder builder(result);
  Walker walker(builder, path);
  walker.bind_inputs(*graph, module, inputs);
  try {
    walker.walk(graph->block());
  } catch (const c10::Error& error) {
    throw ImportError(path + ": LibTorch failed while reading the graph: " + error.what_without_backtrace());
  }
  walker.bind_outputs(*graph);

  try {
    ir::validate(result);
  } catch (const ir::IrError& error) {
    throw ImportError(path + ": internal error: the imported graph is invalid: " + error.what());
  }
  return result;
}

}  // namespace npujar::importer
