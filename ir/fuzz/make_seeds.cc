// Writes a few valid encoded graphs, in ir_graph_fuzz's input layout (a
// 16-bit little-endian graph section size, the graph section, the weights
// section), into the directory given as the only argument.
#include <cstdio>
#include <fstream>
#include <string>

#include "npujar/ir/host_tensor.h"
#include "npujar/ir/serialize.h"
#include "npujar/ir/shape_inference.h"

namespace {

using namespace npujar::ir;

Shape dims(std::initializer_list<int64_t> extents) {
  Shape shape;
  for (int64_t extent : extents) shape.push_back(Dim::fixed(extent));
  return shape;
}

int add_node(Graph& graph, const std::string& op, std::vector<int> inputs, Attributes attributes, Shape shape = {}) {
  int output = graph.add_value(Value{"", DType::kF32, std::move(shape), ValueKind::kIntermediate, {}});
  graph.nodes.push_back(Node{op, std::move(inputs), {output}, std::move(attributes), "seed.py:1"});
  infer_shapes(graph, graph.nodes.size() - 1);
  return output;
}

Graph conv_graph() {
  Graph graph;
  graph.name = "conv";
  int x = graph.add_value(Value{"x", DType::kF32, {Dim::symbolic("N"), Dim::fixed(2), Dim::fixed(5), Dim::fixed(5)}, ValueKind::kInput, {}});
  graph.inputs.push_back(x);
  int w = graph.add_value(Value{"w", DType::kF32, dims({3, 2, 3, 3}), ValueKind::kConstant, HostTensor::zeros(DType::kF32, {3, 2, 3, 3}).data});
  int c = add_node(graph, "conv2d", {x, w, -1}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"activation", std::string("relu")}});
  int p = add_node(graph, "max_pool2d", {c}, {{"kernel", std::vector<int64_t>{2, 2}}, {"ceil_mode", int64_t{1}}});
  int r = add_node(graph, "resize", {p}, {{"mode", std::string("bilinear")}, {"scales", std::vector<double>{2.0, 2.0}}},
                   {Dim::symbolic("N"), Dim::fixed(3), Dim::fixed(6), Dim::fixed(6)});
  graph.outputs.push_back(add_node(graph, "reshape", {r}, {}, {Dim::symbolic("N", 3), Dim::fixed(36)}));
  return graph;
}

Graph gather_graph() {
  Graph graph;
  graph.name = "embedding";
  int ids = graph.add_value(Value{"ids", DType::kI64, {Dim::symbolic("S")}, ValueKind::kInput, {}});
  graph.inputs.push_back(ids);
  int table = graph.add_value(Value{"table", DType::kF32, dims({4, 8}), ValueKind::kConstant, HostTensor::zeros(DType::kF32, {4, 8}).data});
  int g = add_node(graph, "gather", {table, ids}, {{"axis", int64_t{0}}});
  int n = add_node(graph, "layer_norm", {g, -1, -1}, {{"axes", int64_t{1}}, {"epsilon", 1e-5}});
  int s = add_node(graph, "softmax", {n}, {{"axis", int64_t{-1}}});
  graph.outputs.push_back(add_node(graph, "pad", {s}, {{"pads", std::vector<int64_t>{1, 2}}, {"mode", std::string("reflect")}}));
  return graph;
}

bool write_seed(const std::string& path, const Graph& graph) {
  std::vector<uint8_t> section = serialize_graph(graph, nullptr);
  std::vector<uint8_t> weights = serialize_weights(graph);
  if (section.size() > 0xFFFF) return false;
  std::ofstream file(path, std::ios::binary);
  char prefix[2] = {static_cast<char>(section.size() & 0xFF), static_cast<char>(section.size() >> 8)};
  file.write(prefix, 2);
  file.write(reinterpret_cast<const char*>(section.data()), static_cast<std::streamsize>(section.size()));
  file.write(reinterpret_cast<const char*>(weights.data()), static_cast<std::streamsize>(weights.size()));
  return static_cast<bool>(file);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIRECTORY\n", argv[0]);
    return 2;
  }
  std::string directory = argv[1];
  if (!write_seed(directory + "/conv.seed", conv_graph()) || !write_seed(directory + "/embedding.seed", gather_graph())) {
    std::fprintf(stderr, "cannot write seeds to %s\n", directory.c_str());
    return 1;
  }
  return 0;
}
