// Runs the npujar binary's inspect and verify commands on archives written
// here and on corrupted copies, and checks exit statuses and messages. Also
// checks pack's and run's argument and path errors.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "archive_fixture.h"
#include "npujar/ir/graph.h"
#include "npujar/ir/serialize.h"

namespace npujar::format {
namespace {

using namespace testing;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CommandResult run_npujar(const std::string& arguments) {
  std::string command = std::string(NPUJAR_CLI_PATH) + " " + arguments + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, read);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "npujar-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  std::filesystem::path dir_;
};

// An archive whose graph section decodes: y = tanh(x) with x and y f32[N,4],
// plus an f32[2,4] constant (32 bytes) and one cpu variant that records an
// arena of 16 bytes per N. `edit` changes the manifest after the graph and
// weights are encoded; `weights_size` cuts the weights section.
std::vector<uint8_t> decodable_archive(const std::function<void(Manifest&)>& edit = {},
                                       size_t weights_size = 32) {
  ir::Graph graph;
  graph.name = "tiny";
  ir::Shape shape = {ir::Dim::symbolic("N"), ir::Dim::fixed(4)};
  graph.inputs.push_back(graph.add_value({"x", ir::DType::kF32, shape, ir::ValueKind::kInput, {}}));
  graph.add_value({"c", ir::DType::kF32, {ir::Dim::fixed(2), ir::Dim::fixed(4)},
                   ir::ValueKind::kConstant, std::vector<uint8_t>(32, 0)});
  int y = graph.add_value({"y", ir::DType::kF32, shape, ir::ValueKind::kIntermediate, {}});
  ir::Node node;
  node.op = "tanh";
  node.inputs = {graph.inputs[0]};
  node.outputs = {y};
  graph.nodes.push_back(node);
  graph.outputs.push_back(y);

  std::vector<uint8_t> weights = ir::serialize_weights(graph);
  weights.resize(weights_size);
  Manifest manifest;
  manifest.producer = {"npujar-format-tests", "0"};
  manifest.model.name = "tiny";
  manifest.inputs = {{"x", "f32", {Dimension::symbolic("N"), Dimension::fixed(4)}}};
  manifest.outputs = {{"y", "f32", {Dimension::symbolic("N"), Dimension::fixed(4)}}};
  manifest.symbols = {"N"};
  manifest.graph_section = "graph";
  manifest.weights_section = "weights";
  manifest.arena.per_symbol_bytes = {{"N", 16}};
  Variant variant;
  variant.name = "cpu";
  variant.kind = "cpu";
  variant.format = "object";
  variant.arch = "x86_64";
  variant.sections = {"code/cpu"};
  variant.abi_version = 1;
  variant.properties = {{"arena_base_bytes", "0"}, {"arena_per_symbol_bytes", "N=16"}};
  manifest.variants = {variant};
  if (edit) edit(manifest);

  ArchiveWriter writer;
  writer.add_section("graph", SectionKind::kGraph, ir::serialize_graph(graph, nullptr));
  writer.add_section("weights", SectionKind::kWeights, weights);
  writer.add_section("code/cpu", SectionKind::kObject, bytes_of("object-bytes"));
  writer.set_manifest(manifest);
  return writer.write_to_buffer();
}

TEST_F(CliTest, VerifyAcceptsValidArchive) {
  std::string path = write("good.npujar", decodable_archive());
  CommandResult result = run_npujar("verify " + path);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find(": ok (format 1.0, 4 sections"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, VerifyRejectsUndecodableGraph) {
  // full_archive()'s graph section is a byte pattern, not an encoded graph.
  std::string path = write("pattern-graph.npujar", full_archive());
  CommandResult result = run_npujar("verify " + path);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("graph section"), std::string::npos) << result.output;
}

TEST_F(CliTest, VerifyRejectsManifestThatDiffersFromGraph) {
  struct Case {
    const char* name;
    std::function<void(Manifest&)> edit;
    const char* message;
  };
  const Case cases[] = {
      {"output shape", [](Manifest& m) { m.outputs[0].shape[1] = Dimension::fixed(1); },
       "manifest outputs[0] 'y': shape is [N,1] but the graph's is [N,4]"},
      {"output dtype", [](Manifest& m) { m.outputs[0].dtype = "i8"; },
       "manifest outputs[0] 'y': dtype is i8 but the graph's is f32"},
      {"input shape", [](Manifest& m) { m.inputs[0].shape[1] = Dimension::fixed(400); },
       "manifest inputs[0] 'x': shape is [N,400] but the graph's is [N,4]"},
      {"arena", [](Manifest& m) { m.arena.per_symbol_bytes["N"] = 0; },
       "manifest arena.per_symbol_bytes.N is 0 but the compiled code needs 16"},
  };
  for (const Case& c : cases) {
    std::string path = write("crafted.npujar", decodable_archive(c.edit));
    CommandResult result = run_npujar("verify " + path);
    EXPECT_EQ(result.exit_code, 1) << c.name << ": " << result.output;
    EXPECT_NE(result.output.find(c.message), std::string::npos) << c.name << ": " << result.output;
    EXPECT_NE(result.output.find("[malformed_manifest]"), std::string::npos) << c.name;
  }
}

TEST_F(CliTest, VerifyRejectsShortWeightsSection) {
  std::string path = write("short-weights.npujar", decodable_archive({}, 16));
  CommandResult result = run_npujar("verify " + path);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("exceeds the weights section of 16 bytes"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, InspectListsManifestSectionsAndVariants) {
  std::string path = write("good.npujar", full_archive());
  CommandResult result = run_npujar("inspect " + path);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("model: tiny-mlp"), std::string::npos);
  EXPECT_NE(result.output.find("x: f32 [N,3,224,224]"), std::string::npos);
  EXPECT_NE(result.output.find("mask: bool [12*N,0]"), std::string::npos);
  EXPECT_NE(result.output.find("arena: 4096 bytes + 802816 * N + 64 * S"), std::string::npos);
  EXPECT_NE(result.output.find("cpu-x86-64-v3: kind cpu, format object, arch x86_64, abi 1"),
            std::string::npos);
  EXPECT_NE(result.output.find("device: vendor 0x8086, device 0x7d1d, platform level-zero"),
            std::string::npos);
  EXPECT_NE(result.output.find("zstd"), std::string::npos);
  EXPECT_EQ(result.output.find("mismatch"), std::string::npos) << result.output;
}

TEST_F(CliTest, InspectJsonNamesEverySection) {
  std::string path = write("good.npujar", full_archive());
  CommandResult result = run_npujar("inspect --json " + path);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output.front(), '{');
  for (const char* name : {"\"manifest\"", "\"graph\"", "\"weights\"", "\"code/cpu-x86-64-v3\"",
                           "\"code/npu-intel\""}) {
    EXPECT_NE(result.output.find(std::string("\"name\":") + name), std::string::npos) << name;
  }
  EXPECT_NE(result.output.find("\"vendor_id\":32902"), std::string::npos);
  EXPECT_NE(result.output.find("\"checksum\":\"ok\""), std::string::npos);
}

TEST_F(CliTest, CorruptedSectionFailsVerifyAndShowsInInspect) {
  std::vector<uint8_t> archive = full_archive();
  archive[entry_field(archive, "weights", kEntryOffsetOffset, 8) + 100] ^= 0x40;
  std::string path = write("corrupt-weights.npujar", archive);

  CommandResult verify = run_npujar("verify " + path);
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.output.find("section 'weights': checksum"), std::string::npos) << verify.output;
  EXPECT_NE(verify.output.find("[checksum_mismatch]"), std::string::npos) << verify.output;

  CommandResult inspect = run_npujar("inspect " + path);
  EXPECT_EQ(inspect.exit_code, 0) << inspect.output;
  EXPECT_NE(inspect.output.find("mismatch"), std::string::npos) << inspect.output;
}

TEST_F(CliTest, StructuralDamageFailsBothCommandsWithDistinctMessages) {
  std::vector<uint8_t> bad_magic = minimal_archive();
  bad_magic[0] = 'X';
  std::vector<uint8_t> truncated = minimal_archive();
  truncated.resize(truncated.size() - 1);
  std::vector<uint8_t> newer = minimal_archive();
  store_le(newer, kHeaderMajorOffset, 2, 3);
  reseal_archive(newer.data(), newer.size());

  struct Case {
    const char* file;
    std::vector<uint8_t> bytes;
    const char* message_part;
  };
  std::vector<Case> cases = {
      {"bad-magic.npujar", bad_magic, "[bad_magic]"},
      {"truncated.npujar", truncated, "[truncated]"},
      {"newer.npujar", newer, "[unsupported_version]"},
      {"empty.npujar", {}, "[empty_file]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    std::string path = write(c.file, c.bytes);
    for (const char* command : {"verify ", "inspect "}) {
      CommandResult result = run_npujar(command + path);
      EXPECT_EQ(result.exit_code, 1) << result.output;
      EXPECT_NE(result.output.find(c.message_part), std::string::npos) << result.output;
      EXPECT_NE(result.output.find(path), std::string::npos) << result.output;
    }
  }
}

TEST_F(CliTest, MissingFileFailsWithIoError) {
  CommandResult result = run_npujar("verify " + (dir_ / "absent.npujar").string());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("[io_error]"), std::string::npos) << result.output;
}

TEST_F(CliTest, HelpAndVersionWorkAtEveryLevel) {
  for (const char* arguments : {"--help", "inspect --help", "verify --help"}) {
    CommandResult result = run_npujar(arguments);
    EXPECT_EQ(result.exit_code, 0) << arguments;
    EXPECT_NE(result.output.find("Usage:"), std::string::npos) << arguments;
  }
  for (const char* arguments : {"--version", "inspect --version", "verify --version"}) {
    CommandResult result = run_npujar(arguments);
    EXPECT_EQ(result.exit_code, 0) << arguments;
    EXPECT_NE(result.output.find("npujar "), std::string::npos) << arguments;
  }
}

TEST_F(CliTest, MissingArgumentIsUsageError) {
  CommandResult result = run_npujar("verify");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("FILE is required"), std::string::npos) << result.output;
}

TEST_F(CliTest, UnknownOptionExitsOne) {
  CommandResult result = run_npujar("verify --bogus x.npujar");
  EXPECT_EQ(result.exit_code, 1) << result.output;
}

TEST_F(CliTest, UnknownSubcommandIsNamed) {
  CommandResult result = run_npujar("bogus");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("unknown subcommand 'bogus'"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("pack, inspect, verify"), std::string::npos) << result.output;

  result = run_npujar("");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("A subcommand is required"), std::string::npos) << result.output;
}

TEST_F(CliTest, PackRejectsOutputThatIsTheModel) {
  std::vector<uint8_t> model = {'P', 'K', 3, 4, 1, 2, 3};
  std::string path = write("model.pt", model);
  CommandResult result = run_npujar("pack " + path + " -o " + path + " --input x:f32[2,4]");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("is the same file as the model"), std::string::npos)
      << result.output;
  EXPECT_EQ(std::filesystem::file_size(path), model.size());

  // Another spelling of the same path is the same file too.
  std::string other_spelling = (dir_ / "." / "model.pt").string();
  result = run_npujar("pack " + path + " -o " + other_spelling + " --input x:f32[2,4]");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_EQ(std::filesystem::file_size(path), model.size());
}

TEST_F(CliTest, PackRejectsDirectories) {
  CommandResult result = run_npujar("pack " + dir_.string() + " -o " +
                                    (dir_ / "a.npujar").string() + " --input x:f32[2,4]");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find(dir_.string() + " is a directory"), std::string::npos)
      << result.output;

  std::string model = write("model.pt", bytes_of("not-a-model"));
  result = run_npujar("pack " + model + " -o " + dir_.string() + " --input x:f32[2,4]");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("output " + dir_.string() + " is a directory"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, RunRejectsDirectoriesAndMissingOutputDirectory) {
  std::string archive = write("good.npujar", decodable_archive());
  std::string input = write("x.npy", bytes_of("unread"));

  CommandResult result =
      run_npujar("run " + archive + " -i x=" + dir_.string() + " -o " + (dir_ / "o.npy").string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("input " + dir_.string() + " is a directory"), std::string::npos)
      << result.output;

  result = run_npujar("run " + archive + " -i x=" + input + " -o y=" + dir_.string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("output " + dir_.string() + " is a directory"), std::string::npos)
      << result.output;

  std::string missing = (dir_ / "absent" / "o.npy").string();
  result = run_npujar("run " + archive + " -i x=" + input + " -o " + missing);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("directory " + (dir_ / "absent").string() + " does not exist"),
            std::string::npos)
      << result.output;
}

TEST_F(CliTest, TargetsFailsOnMissingArchive) {
  std::string good = write("good.npujar", decodable_archive());
  CommandResult result = run_npujar("targets " + good);
  EXPECT_EQ(result.exit_code, 0) << result.output;

  std::string missing = (dir_ / "absent.npujar").string();
  result = run_npujar("targets " + good + " " + missing);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("invalid archive: "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("1 of 2 archives could not be opened"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, RunRejectsF64Input) {
  std::string archive = write("good.npujar", decodable_archive());
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 4), }";
  header.append(118 - header.size(), ' ');
  header += '\n';
  std::vector<uint8_t> npy = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0};
  npy.insert(npy.end(), header.begin(), header.end());
  npy.resize(npy.size() + 4 * 8, 0);
  std::string input = write("x64.npy", npy);

  CommandResult result = run_npujar("run " + archive + " --reference -i x=" + input + " -o " +
                                    (dir_ / "y.npy").string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("input 'x' (" + input + "): expected dtype f32, got f64"),
            std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace npujar::format
