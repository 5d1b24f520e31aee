// The operator registry: every TorchScript node kind the importer handles,
// gathered from the family files, and docs/operators.md generated from it.
#include <algorithm>
#include <map>

#include "lowering.h"

namespace npujar::importer {

namespace {

const std::map<std::string, Lowering>& registry() {
  static const std::map<std::string, Lowering> table = [] {
    std::map<std::string, Lowering> rows;
    for (auto family : {scalar_lowerings, elementwise_lowerings, shape_lowerings, nn_lowerings,
                        linear_lowerings, transformer_lowerings, walker_handled_kinds}) {
      for (const Lowering& row : family()) rows.emplace(row.kind, row);
    }
    return rows;
  }();
  return table;
}

// Escapes the characters that would break a Markdown table cell.
std::string table_cell(const std::string& text) {
  std::string cell;
  for (char c : text) {
    if (c == '|') {
      cell += "\\|";
    } else if (c == '\n') {
      cell += ' ';
    } else {
      cell += c;
    }
  }
  return cell;
}

}  // namespace

std::string functional_kind(const std::string& kind) {
  if (kind.size() < 3 || kind.back() != '_' || kind[kind.size() - 2] == '_') return "";
  return kind.substr(0, kind.size() - 1);
}

const Lowering* find_lowering(const std::string& kind) {
  auto it = registry().find(kind);
  if (it != registry().end()) return &it->second;
  std::string functional = functional_kind(kind);
  if (functional.empty()) return nullptr;
  it = registry().find(functional);
  if (it == registry().end() || !it->second.has_inplace) return nullptr;
  return &it->second;
}

std::vector<OperatorDoc> supported_operators() {
  std::vector<OperatorDoc> docs;
  for (const auto& [kind, row] : registry()) {
    docs.push_back({kind, row.ir_ops, row.limits});
    if (row.has_inplace) {
      docs.push_back({kind + "_", std::string("in-place form of ") + kind + "; later uses see the result",
                      "rejected when another view of the same tensor is read afterwards"});
    }
  }
  std::sort(docs.begin(), docs.end(),
            [](const OperatorDoc& a, const OperatorDoc& b) { return a.kind < b.kind; });
  return docs;
}

std::string operators_markdown() {
  std::vector<OperatorDoc> docs = supported_operators();
  std::string text =
      "# Supported TorchScript operators\n"
      "\n"
      "Generated from the importer's operator registry (`cli/importer/src/registry.cc`\n"
      "and the `lower_*.cc` files) by `npujar_operator_docs`; a test fails when this\n"
      "file is out of date. Regenerate it with\n"
      "`cmake --build BUILD --target update_operator_docs`.\n"
      "\n"
      "The importer loads a model with `torch::jit::load`, switches it to eval mode,\n"
      "freezes it (which folds batch norm into convolutions and removes dropout) and\n"
      "inlines every call, then lowers each node below onto the IR operators of\n"
      "`ir/include/npujar/ir/ops.h`. Ints, floats, lists and strings are evaluated at\n"
      "import time; sizes of symbolic dims stay symbolic (`N`, `12*N`). A node kind\n"
      "that is not listed stops packing with a list of every such node and its\n"
      "source location.\n"
      "\n"
      "| TorchScript kind | lowering | limits |\n"
      "|---|---|---|\n";
  for (const OperatorDoc& doc : docs) {
    text += "| `" + doc.kind + "` | " + table_cell(doc.lowering) + " | " +
            table_cell(doc.limits.empty() ? "-" : doc.limits) + " |\n";
  }
  text += "\n" + std::to_string(docs.size()) + " node kinds.\n";
  return text;
}

std::vector<Lowering> walker_handled_kinds() {
  return {
      {"prim::Constant", nullptr, "import-time value; tensors become IR constants",
       "tensor dtypes f32, f64 (stored as f32), i64, i32, i8, u8, bool"},
      {"prim::GetAttr", nullptr, "import-time value of a module attribute", ""},
      {"prim::If", nullptr, "condition evaluated at import time; the taken branch is inlined",
       "the condition must not depend on tensor data or on the value of a symbolic dim"},
      {"prim::Loop", nullptr, "unrolled at import time",
       "trip count and condition must be known at import time; at most 100000 iterations"},
      {"prim::RaiseException", nullptr, "import fails when the taken branch raises", ""},
      {"prim::ConstantChunk", nullptr, "slice per chunk", "the split dim must be static"},
      {"prim::CallMethod", nullptr, "inlined before lowering", ""},
      {"prim::CallFunction", nullptr, "inlined before lowering", ""},
  };
}

}  // namespace npujar::importer
