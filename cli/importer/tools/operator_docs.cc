// Prints docs/operators.md, generated from the importer's operator registry.
//
//   npujar_operator_docs                   write the document to stdout
//   npujar_operator_docs --output FILE     write it to FILE
//   npujar_operator_docs --check FILE      exit 1 when FILE differs from it
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "npujar/importer/importer.h"

int main(int argc, char** argv) {
  std::string document = npujar::importer::operators_markdown();
  if (argc == 1) {
    std::fputs(document.c_str(), stdout);
    return 0;
  }
  if (argc == 3 && std::strcmp(argv[1], "--output") == 0) {
    std::ofstream file(argv[2], std::ios::binary);
    file << document;
    if (!file) {
      std::fprintf(stderr, "npujar_operator_docs: cannot write %s\n", argv[2]);
      return 1;
    }
    return 0;
  }
  if (argc == 3 && std::strcmp(argv[1], "--check") == 0) {
    std::ifstream file(argv[2], std::ios::binary);
    std::stringstream committed;
    committed << file.rdbuf();
    if (!file || committed.str() != document) {
      std::fprintf(stderr,
                   "npujar_operator_docs: %s is out of date with the operator registry; regenerate it "
                   "with `cmake --build BUILD --target update_operator_docs`\n",
                   argv[2]);
      return 1;
    }
    return 0;
  }
  std::fprintf(stderr, "usage: npujar_operator_docs [--output FILE | --check FILE]\n");
  return 2;
}
