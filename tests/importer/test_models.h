// The test models made by tests/models/make_models.py: where they are and
// what manifest.txt lists about them.
#pragma once

#include <string>
#include <vector>

namespace npujar::importer::testing {

struct ModelCase {
  std::vector<std::string> inputs;   // .npy files, in forward() order
  std::vector<std::string> outputs;  // .npy files with LibTorch's outputs
};

struct TestModel {
  std::string name;
  std::string file;                      // the .pt file
  std::vector<std::string> input_specs;  // --input specs
  std::vector<ModelCase> cases;
};

// $NPUJAR_TEST_MODELS, or an empty string when it is not set.
std::string models_dir();
// The models of manifest.txt; empty when the directory or file is missing.
std::vector<TestModel> load_test_models();

}  // namespace npujar::importer::testing
