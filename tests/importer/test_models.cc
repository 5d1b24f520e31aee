#include "test_models.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace npujar::importer::testing {

namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator)) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

}  // namespace

std::string models_dir() {
  const char* dir = std::getenv("NPUJAR_TEST_MODELS");
  return dir == nullptr ? "" : dir;
}

std::vector<TestModel> load_test_models() {
  std::vector<TestModel> models;
  std::ifstream file(models_dir() + "/manifest.txt");
  std::string line;
  while (std::getline(file, line)) {
    std::vector<std::string> words = split(line, ' ');
    if (words.empty()) continue;
    if (words[0] == "model" && words.size() == 3) {
      models.push_back({words[1], words[2], {}, {}});
    } else if (words[0] == "input" && words.size() == 2 && !models.empty()) {
      models.back().input_specs.push_back(words[1]);
    } else if (words[0] == "case" && words.size() == 3 && !models.empty()) {
      models.back().cases.push_back({split(words[1], ','), split(words[2], ',')});
    }
  }
  return models;
}

}  // namespace npujar::importer::testing
