// End-to-end tests of code generation: hand-built graphs compiled to the
// x86-64-v3 and v4 objects (and portable bitcode), loaded with ORC LLJIT
// like the runtime does, run, and compared with the IR's reference
// executor, which accumulates in double.
#include <gtest/gtest.h>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/MemoryBuffer.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>

#include "error.h"
#include "jit_harness.h"
#include "module_pipeline.h"
#include "npujar/format/reader.h"
#include "npujar/ir/reference.h"
#include "npujar/ir/serialize.h"
#include "npujar_model_abi.h"
#include "prepack.h"

namespace npujar::codegen {
namespace {

using ir::Dim;
using testing::add_constant;
using testing::add_input;
using testing::add_intermediate;
using testing::add_node;

constexpr double kTolerance = 1e-4;

// Compiles `graph` once for `target_name`, runs it and the reference on
// each set of inputs, and expects every output within kTolerance.
void expect_matches_reference(const ir::Graph& graph, const std::string& target_name,
                              const std::vector<std::vector<ir::HostTensor>>& input_sets) {
  const TargetSpec& target = testing::target_named(target_name);
  if (!testing::host_supports(target)) GTEST_SKIP() << "host lacks the features of " << target_name;
  testing::PreparedGraph prepared = testing::prepare(graph);
  CompiledVariant variant = compile_variant(prepared.graph, prepared.layout, prepared.plan, target);
  for (size_t set = 0; set < input_sets.size(); ++set) {
    std::vector<ir::HostTensor> actual = testing::run_variant(prepared, variant, input_sets[set]);
    std::vector<ir::HostTensor> expected = ir::run_reference(prepared.graph, input_sets[set]);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) {
      EXPECT_LE(testing::max_abs_difference(actual[i], expected[i]), kTolerance)
          << "output " << i << " of " << target_name << " for input set " << set;
    }
  }
}

// y = relu(x @ W^T + b), the relu as its own node.
ir::Graph linear_relu_graph(Dim batch) {
  ir::Graph graph;
  int x = add_input(graph, "x", {batch, Dim::fixed(24)});
  int weight = add_constant(graph, "weight", {40, 24}, 1);
  int bias = add_constant(graph, "bias", {40}, 2);
  int hidden = add_intermediate(graph, "hidden", {batch, Dim::fixed(40)});
  int y = add_intermediate(graph, "y", {batch, Dim::fixed(40)});
  add_node(graph, "linear", {x, weight, bias}, {hidden});
  add_node(graph, "relu", {hidden}, {y});
  graph.outputs = {y};
  return graph;
}

ir::Node& add_conv(ir::Graph& graph, int x, int weight, int bias, int y, int64_t pad) {
  ir::Node& node = add_node(graph, "conv2d", {x, weight, bias}, {y});
  node.attributes["strides"] = std::vector<int64_t>{1, 1};
  node.attributes["pads"] = std::vector<int64_t>{pad, pad, pad, pad};
  node.attributes["dilations"] = std::vector<int64_t>{1, 1};
  node.attributes["groups"] = int64_t{1};
  return node;
}

// y = relu(conv(x) + b) with a fused activation, 3x3, padding 1.
ir::Graph conv_bias_relu_graph() {
  ir::Graph graph;
  int x = add_input(graph, "x", {Dim::fixed(2), Dim::fixed(3), Dim::fixed(10), Dim::fixed(9)});
  int weight = add_constant(graph, "weight", {8, 3, 3, 3}, 3);
  int bias = add_constant(graph, "bias", {8}, 4);
  int y = add_intermediate(graph, "y", {Dim::fixed(2), Dim::fixed(8), Dim::fixed(10), Dim::fixed(9)});
  add_conv(graph, x, weight, bias, y, 1).attributes["activation"] = std::string("relu");
  graph.outputs = {y};
  return graph;
}

// A 3x3 stride-1 convolution with 32 input and 48 output channels, which
// the kernels run with Winograd F(2x2, 3x3), plus a residual input.
ir::Graph wide_conv_graph() {
  ir::Graph graph;
  int x = add_input(graph, "x", {Dim::fixed(2), Dim::fixed(32), Dim::fixed(9), Dim::fixed(11)});
  int residual = add_input(graph, "residual", {Dim::fixed(2), Dim::fixed(48), Dim::fixed(9), Dim::fixed(11)});
  int weight = add_constant(graph, "weight", {48, 32, 3, 3}, 30);
  int bias = add_constant(graph, "bias", {48}, 31);
  int y = add_intermediate(graph, "y", {Dim::fixed(2), Dim::fixed(48), Dim::fixed(9), Dim::fixed(11)});
  ir::Node& conv = add_conv(graph, x, weight, bias, y, 1);
  conv.inputs.push_back(residual);
  conv.attributes["activation"] = std::string("relu");
  graph.outputs = {y};
  return graph;
}

// y = relu(conv2(relu(conv1(x))) + x): a ResNet basic block without batch norm.
ir::Graph residual_block_graph() {
  ir::Graph graph;
  ir::Shape shape = {Dim::fixed(1), Dim::fixed(8), Dim::fixed(7), Dim::fixed(7)};
  int x = add_input(graph, "x", shape);
  int w1 = add_constant(graph, "w1", {8, 8, 3, 3}, 5);
  int b1 = add_constant(graph, "b1", {8}, 6);
  int w2 = add_constant(graph, "w2", {8, 8, 3, 3}, 7);
  int b2 = add_constant(graph, "b2", {8}, 8);
  int h1 = add_intermediate(graph, "h1", shape);
  int h2 = add_intermediate(graph, "h2", shape);
  int sum = add_intermediate(graph, "sum", shape);
  int y = add_intermediate(graph, "y", shape);
  add_conv(graph, x, w1, b1, h1, 1).attributes["activation"] = std::string("relu");
  add_conv(graph, h1, w2, b2, h2, 1);
  add_node(graph, "add", {h2, x}, {sum});
  add_node(graph, "relu", {sum}, {y});
  graph.outputs = {y};
  return graph;
}

ir::Graph softmax_graph() {
  ir::Graph graph;
  int x = add_input(graph, "x", {Dim::fixed(3), Dim::fixed(17)});
  int y = add_intermediate(graph, "y", {Dim::fixed(3), Dim::fixed(17)});
  add_node(graph, "softmax", {x}, {y}).attributes["axis"] = int64_t{-1};
  graph.outputs = {y};
  return graph;
}

ir::Graph layer_norm_graph() {
  ir::Graph graph;
  ir::Shape shape = {Dim::fixed(2), Dim::fixed(5), Dim::fixed(32)};
  int x = add_input(graph, "x", shape);
  int weight = add_constant(graph, "gamma", {32}, 9);
  int bias = add_constant(graph, "beta", {32}, 10);
  int y = add_intermediate(graph, "y", shape);
  ir::Node& node = add_node(graph, "layer_norm", {x, weight, bias}, {y});
  node.attributes["axes"] = int64_t{1};
  node.attributes["epsilon"] = 1e-5;
  graph.outputs = {y};
  return graph;
}

// Single-head self-attention on x [6, 16]: softmax(q k^T * 0.25) v, with
// the result reshaped into the flat output buffer.
ir::Graph attention_graph() {
  ir::Graph graph;
  auto shape = [](int64_t a, int64_t b) { return ir::Shape{Dim::fixed(a), Dim::fixed(b)}; };
  int x = add_input(graph, "x", shape(6, 16));
  int wq = add_constant(graph, "wq", {16, 16}, 20);
  int wk = add_constant(graph, "wk", {16, 16}, 21);
  int wv = add_constant(graph, "wv", {16, 16}, 22);
  ir::Value scale_value;
  scale_value.name = "scale";
  scale_value.shape = {Dim::fixed(1)};
  scale_value.kind = ir::ValueKind::kConstant;
  scale_value.data = ir::HostTensor::from_f32({1}, {0.25f}).data;
  int scale = graph.add_value(scale_value);

  int q = add_intermediate(graph, "q", shape(6, 16));
  int k = add_intermediate(graph, "k", shape(6, 16));
  int v = add_intermediate(graph, "v", shape(6, 16));
  int kt = add_intermediate(graph, "kt", shape(16, 6));
  int scores = add_intermediate(graph, "scores", shape(6, 6));
  int scaled = add_intermediate(graph, "scaled", shape(6, 6));
  int probs = add_intermediate(graph, "probs", shape(6, 6));
  int context = add_intermediate(graph, "context", shape(6, 16));
  int y = add_intermediate(graph, "y", {Dim::fixed(96)});

  add_node(graph, "linear", {x, wq}, {q});
  add_node(graph, "linear", {x, wk}, {k});
  add_node(graph, "linear", {x, wv}, {v});
  add_node(graph, "permute", {k}, {kt}).attributes["perm"] = std::vector<int64_t>{1, 0};
  add_node(graph, "matmul", {q, kt}, {scores});
  add_node(graph, "mul", {scores, scale}, {scaled});
  add_node(graph, "softmax", {scaled}, {probs}).attributes["axis"] = int64_t{-1};
  add_node(graph, "matmul", {probs, v}, {context});
  add_node(graph, "reshape", {context}, {y});
  graph.outputs = {y};
  return graph;
}

// Embedding lookup followed by concat and a strided slice.
ir::Graph embedding_graph() {
  ir::Graph graph;
  int ids = add_input(graph, "ids", {Dim::fixed(5)});
  graph.values[ids].dtype = ir::DType::kI64;
  int table = add_constant(graph, "table", {10, 8}, 23);
  int rows = add_intermediate(graph, "rows", {Dim::fixed(5), Dim::fixed(8)});
  int both = add_intermediate(graph, "both", {Dim::fixed(5), Dim::fixed(16)});
  int y = add_intermediate(graph, "y", {Dim::fixed(5), Dim::fixed(4)});
  add_node(graph, "gather", {table, ids}, {rows}).attributes["axis"] = int64_t{0};
  add_node(graph, "concat", {rows, rows}, {both}).attributes["axis"] = int64_t{1};
  ir::Node& slice = add_node(graph, "slice", {both}, {y});
  slice.attributes["axis"] = int64_t{1};
  slice.attributes["start"] = int64_t{4};
  slice.attributes["end"] = int64_t{12};
  slice.attributes["step"] = int64_t{2};
  graph.outputs = {y};
  return graph;
}

// conv -> max_pool -> batch_norm -> global average pool -> flatten -> linear,
// with a symbolic batch.
ir::Graph cnn_head_graph() {
  ir::Graph graph;
  Dim n = Dim::symbolic("N");
  int x = add_input(graph, "x", {n, Dim::fixed(3), Dim::fixed(8), Dim::fixed(8)});
  int weight = add_constant(graph, "conv.weight", {6, 3, 3, 3}, 24);
  int features = add_intermediate(graph, "features", {n, Dim::fixed(6), Dim::fixed(8), Dim::fixed(8)});
  add_conv(graph, x, weight, -1, features, 1);

  int pooled = add_intermediate(graph, "pooled", {n, Dim::fixed(6), Dim::fixed(4), Dim::fixed(4)});
  ir::Node& pool = add_node(graph, "max_pool2d", {features}, {pooled});
  pool.attributes["kernel"] = std::vector<int64_t>{2, 2};
  pool.attributes["strides"] = std::vector<int64_t>{2, 2};
  pool.attributes["pads"] = std::vector<int64_t>{0, 0, 0, 0};
  pool.attributes["dilations"] = std::vector<int64_t>{1, 1};
  pool.attributes["ceil_mode"] = int64_t{0};

  int mean = add_constant(graph, "bn.mean", {6}, 25);
  int variance_raw = add_constant(graph, "bn.var", {6}, 26);
  // Variances must be positive: take |v| + 0.5.
  std::vector<double> variances = ir::to_doubles(ir::constant_tensor(graph.values[variance_raw]));
  for (double& v : variances) v = std::abs(v) + 0.5;
  graph.values[variance_raw].data = ir::from_doubles(ir::DType::kF32, {6}, variances).data;
  int normalized = add_intermediate(graph, "normalized", {n, Dim::fixed(6), Dim::fixed(4), Dim::fixed(4)});
  add_node(graph, "batch_norm", {pooled, mean, variance_raw}, {normalized}).attributes["epsilon"] = 1e-5;

  int averaged = add_intermediate(graph, "averaged", {n, Dim::fixed(6), Dim::fixed(1), Dim::fixed(1)});
  add_node(graph, "adaptive_avg_pool2d", {normalized}, {averaged});
  int flat = add_intermediate(graph, "flat", {n, Dim::fixed(6)});
  add_node(graph, "reshape", {averaged}, {flat});
  int fc = add_constant(graph, "fc.weight", {5, 6}, 27);
  int fc_bias = add_constant(graph, "fc.bias", {5}, 28);
  int y = add_intermediate(graph, "y", {n, Dim::fixed(5)});
  add_node(graph, "linear", {flat, fc, fc_bias}, {y});
  graph.outputs = {y};
  return graph;
}

class CpuVariant : public ::testing::TestWithParam<std::string> {};

TEST_P(CpuVariant, LinearReluMatchesReference) {
  expect_matches_reference(linear_relu_graph(Dim::fixed(4)), GetParam(),
                           {{testing::random_tensor({4, 24}, 11)}});
}

TEST_P(CpuVariant, SymbolicBatchLinearMatchesReference) {
  expect_matches_reference(linear_relu_graph(Dim::symbolic("N")), GetParam(),
                           {{testing::random_tensor({0, 24}, 12)},
                            {testing::random_tensor({1, 24}, 12)},
                            {testing::random_tensor({3, 24}, 13)},
                            {testing::random_tensor({7, 24}, 14)}});
}

TEST_P(CpuVariant, ConvBiasReluMatchesReference) {
  expect_matches_reference(conv_bias_relu_graph(), GetParam(),
                           {{testing::random_tensor({2, 3, 10, 9}, 13)}});
}

TEST_P(CpuVariant, WideConvMatchesReference) {
  expect_matches_reference(wide_conv_graph(), GetParam(),
                           {{testing::random_tensor({2, 32, 9, 11}, 32),
                             testing::random_tensor({2, 48, 9, 11}, 33)}});
}

TEST_P(CpuVariant, ResidualBlockMatchesReference) {
  expect_matches_reference(residual_block_graph(), GetParam(),
                           {{testing::random_tensor({1, 8, 7, 7}, 14)}});
}

TEST_P(CpuVariant, SoftmaxMatchesReference) {
  expect_matches_reference(softmax_graph(), GetParam(), {{testing::random_tensor({3, 17}, 15)}});
}

TEST_P(CpuVariant, LayerNormMatchesReference) {
  expect_matches_reference(layer_norm_graph(), GetParam(),
                           {{testing::random_tensor({2, 5, 32}, 16)}});
}

TEST_P(CpuVariant, AttentionMatchesReference) {
  expect_matches_reference(attention_graph(), GetParam(), {{testing::random_tensor({6, 16}, 17)}});
}

TEST_P(CpuVariant, EmbeddingConcatSliceMatchesReference) {
  expect_matches_reference(embedding_graph(), GetParam(),
                           {{ir::HostTensor::from_i64({5}, {3, 0, 9, 3, 7})}});
}

TEST_P(CpuVariant, SymbolicCnnHeadMatchesReference) {
  expect_matches_reference(cnn_head_graph(), GetParam(),
                           {{testing::random_tensor({1, 3, 8, 8}, 18)},
                            {testing::random_tensor({3, 3, 8, 8}, 19)}});
}

INSTANTIATE_TEST_SUITE_P(X86, CpuVariant,
                         ::testing::Values("cpu-x86-64-v3", "cpu-x86-64-v4", "bitcode-x86_64"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

TEST(RunStatus, GatherIndexOutOfRangeIsReported) {
  const TargetSpec& target = testing::target_named("cpu-x86-64-v3");
  if (!testing::host_supports(target)) GTEST_SKIP() << "host lacks x86-64-v3";
  testing::PreparedGraph prepared = testing::prepare(embedding_graph());
  CompiledVariant variant = compile_variant(prepared.graph, prepared.layout, prepared.plan, target);
  EXPECT_THROW(testing::run_variant(prepared, variant, {ir::HostTensor::from_i64({5}, {1, 2, 10, 0, 0})}),
               std::runtime_error);
}

TEST(Aarch64Variant, ObjectIsRelocatableAarch64Elf) {
  testing::PreparedGraph prepared = testing::prepare(residual_block_graph());
  CompiledVariant variant = compile_variant(prepared.graph, prepared.layout, prepared.plan,
                                            testing::target_named("cpu-aarch64"));
  llvm::StringRef bytes(reinterpret_cast<const char*>(variant.bytes.data()), variant.bytes.size());
  auto file = llvm::object::ObjectFile::createObjectFile(llvm::MemoryBufferRef(bytes, "aarch64"));
  ASSERT_TRUE(static_cast<bool>(file)) << llvm::toString(file.takeError());
  EXPECT_TRUE((*file)->isELF());
  EXPECT_EQ((*file)->getArch(), llvm::Triple::aarch64);
  EXPECT_TRUE((*file)->isRelocatableObject());

  bool defines_entry = false;
  for (const llvm::object::SymbolRef& symbol : (*file)->symbols()) {
    auto name = symbol.getName();
    auto flags = symbol.getFlags();
    ASSERT_TRUE(static_cast<bool>(name));
    ASSERT_TRUE(static_cast<bool>(flags));
    if (*name == "npujar_model_run" && !(*flags & llvm::object::SymbolRef::SF_Undefined)) {
      defines_entry = true;
    }
  }
  EXPECT_TRUE(defines_entry);
}

TEST(SymbolCheck, UnknownExternalFunctionIsRejectedByName) {
  llvm::LLVMContext context;
  llvm::Module module("m", context);
  llvm::IRBuilder<> builder(context);
  auto* type = llvm::FunctionType::get(builder.getVoidTy(), false);
  llvm::Function* entry =
      llvm::Function::Create(type, llvm::Function::ExternalLinkage, "npujar_model_run", module);
  builder.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", entry));
  builder.CreateCall(module.getOrInsertFunction("npk_missing_kernel", type));
  builder.CreateRetVoid();
  try {
    check_module_symbols(module, "cpu-test");
    FAIL() << "an unknown external function was accepted";
  } catch (const CodegenError& error) {
    EXPECT_NE(std::string(error.what()).find("npk_missing_kernel"), std::string::npos)
        << error.what();
  }
}

TEST(SymbolCheck, RuntimeSymbolIsAccepted) {
  llvm::LLVMContext context;
  llvm::Module module("m", context);
  llvm::IRBuilder<> builder(context);
  auto* float_type = llvm::FunctionType::get(builder.getFloatTy(), {builder.getFloatTy()}, false);
  llvm::Function* entry =
      llvm::Function::Create(float_type, llvm::Function::ExternalLinkage, "npujar_model_run", module);
  builder.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", entry));
  builder.CreateRet(builder.CreateCall(module.getOrInsertFunction("expf", float_type),
                                       {entry->getArg(0)}));
  EXPECT_NO_THROW(check_module_symbols(module, "cpu-test"));
}

TEST(Lowering, UnknownOperatorIsRejectedNamingNode) {
  ir::Graph graph;
  int x = add_input(graph, "x", {Dim::fixed(4)});
  int y = add_intermediate(graph, "y", {Dim::fixed(4)});
  add_node(graph, "fancy_op", {x}, {y});
  graph.outputs = {y};
  testing::PreparedGraph prepared = testing::prepare(graph);
  EXPECT_THROW(compile_variant(prepared.graph, prepared.layout, prepared.plan,
                               testing::target_named("cpu-x86-64-v3")),
               CodegenError);
}

TEST(GenerateVariants, ArchiveHasEveryVariantAndArena) {
  ir::Graph graph = linear_relu_graph(Dim::symbolic("N"));
  prepack_weights(graph);
  ir::WeightsLayout layout = ir::layout_weights(graph);

  format::ArchiveWriter writer;
  format::Manifest manifest;
  manifest.symbols = graph.symbols();
  CodegenOptions options;
  options.targets = parse_targets("all");
  auto start = std::chrono::steady_clock::now();
  std::vector<CompiledVariant> compiled = generate_variants(graph, layout, options, writer, manifest);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const CompiledVariant& variant : compiled) {
    std::printf("%-16s %8zu bytes  %.2f s\n", variant.target.variant_name.c_str(),
                variant.bytes.size(), variant.seconds);
  }
  std::printf("all variants: %.2f s\n", seconds);

  ASSERT_EQ(manifest.variants.size(), all_targets().size());
  const format::Variant* v4 = manifest.find_variant("cpu-x86-64-v4");
  ASSERT_NE(v4, nullptr);
  EXPECT_EQ(v4->format, "object");
  EXPECT_EQ(v4->arch, "x86_64");
  EXPECT_EQ(v4->abi_version, NPUJAR_MODEL_ABI_VERSION);
  EXPECT_NE(std::find(v4->cpu_features.begin(), v4->cpu_features.end(), "avx512bw"),
            v4->cpu_features.end());
  const format::Variant* bitcode = manifest.find_variant("bitcode-aarch64");
  ASSERT_NE(bitcode, nullptr);
  EXPECT_EQ(bitcode->format, "bitcode");
  EXPECT_TRUE(bitcode->cpu_features.empty());
  // y lives in the caller's output buffer, so the arena contains only
  // hidden: 160 bytes per unit of N, rounded up to 192.
  EXPECT_EQ(manifest.arena.base_bytes, 0u);
  EXPECT_EQ(manifest.arena.per_symbol_bytes.at("N"), 192u);

  // The archive passes the reader's checks, and each variant section
  // decompresses to the compiled bytes.
  writer.add_section("graph", format::SectionKind::kGraph, ir::serialize_graph(graph, nullptr));
  writer.add_section("weights", format::SectionKind::kWeights, ir::serialize_weights(graph));
  manifest.producer = {"npujar", "test"};
  manifest.model.name = "linear_relu";
  manifest.graph_section = "graph";
  manifest.weights_section = "weights";
  manifest.inputs = {format::TensorSpec{"x", "f32", {format::Dimension::symbolic("N"),
                                                      format::Dimension::fixed(24)}}};
  manifest.outputs = {format::TensorSpec{"y", "f32", {format::Dimension::symbolic("N"),
                                                       format::Dimension::fixed(40)}}};
  writer.set_manifest(manifest);
  std::vector<uint8_t> archive = writer.write_to_buffer();
  format::ArchiveReader reader =
      format::ArchiveReader::open_buffer(archive.data(), archive.size(), format::BufferOwnership::kCopy);
  EXPECT_NO_THROW(reader.verify());
  EXPECT_EQ(reader.manifest().arena.per_symbol_bytes.at("N"), 192u);
  for (const CompiledVariant& variant : compiled) {
    const std::string name = variant_section_name(variant.target);
    const format::SectionInfo* section = reader.find_section(name);
    ASSERT_NE(section, nullptr) << name;
    format::ByteView bytes = reader.section_bytes(name);
    EXPECT_EQ(std::vector<uint8_t>(bytes.data, bytes.data + bytes.size), variant.bytes) << name;
  }
}

TEST(Targets, UnknownTargetIsRejected) {
  EXPECT_THROW(parse_targets("cpu-x86-64-v9"), CodegenError);
}

TEST(Targets, BitcodeSelectsBothArchitectures) {
  std::vector<TargetSpec> targets = parse_targets("bitcode, cpu-x86-64-v3");
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets[0].variant_name, "cpu-x86-64-v3");
  EXPECT_EQ(targets[1].variant_name, "bitcode-x86_64");
  EXPECT_EQ(targets[2].variant_name, "bitcode-aarch64");
}

}  // namespace
}  // namespace npujar::codegen
