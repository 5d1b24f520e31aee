// Files whose import must fail, and the messages they must get. The files
// come from make_models.py (error_*.pt); each message must name the file and
// state what is wrong and what to do.
#include <gtest/gtest.h>

#include "npujar/importer/importer.h"
#include "test_models.h"

namespace npujar::importer::testing {
namespace {

// The message of the ImportError that importing `file` raises, or a failure.
std::string import_error(const std::string& file, const std::vector<std::string>& specs) {
  std::vector<InputSpec> inputs;
  for (const std::string& spec : specs) inputs.push_back(parse_input_spec(spec));
  try {
    import_torchscript(models_dir() + "/" + file, inputs);
  } catch (const ImportError& error) {
    return error.what();
  }
  ADD_FAILURE() << file << " was imported without an error";
  return "";
}

void expect_contains(const std::string& message, const std::string& part) {
  EXPECT_NE(message.find(part), std::string::npos) << "expected '" << part << "' in:\n" << message;
}

TEST(ImportErrors, UnsupportedOperatorsAreAllListedWithLocations) {
  std::string message = import_error("error_unsupported_op.pt", {"x:f32[8]"});
  expect_contains(message, "error_unsupported_op.pt");
  expect_contains(message, "aten::fft_fft at ");
  expect_contains(message, "aten::_unique2 at ");
  expect_contains(message, "make_models.py:");
  expect_contains(message, "docs/operators.md");
}

TEST(ImportErrors, DropoutInTrainingModeIsRejected) {
  std::string message = import_error("error_training_dropout.pt", {"x:f32[2,4]"});
  expect_contains(message, "error_training_dropout.pt");
  expect_contains(message, "training mode");
  expect_contains(message, "Dropout");
  expect_contains(message, "model.eval()");
}

TEST(ImportErrors, BatchNormInTrainingModeIsRejected) {
  std::string message = import_error("error_training_batch_norm.pt", {"x:f32[2,3,8,8]"});
  expect_contains(message, "BatchNorm2d");
  expect_contains(message, "model.eval()");
}

TEST(ImportErrors, TruncatedFileIsReportedAsCorrupt) {
  std::string message = import_error("error_truncated.pt", {"x:f32[2,4]"});
  expect_contains(message, "error_truncated.pt");
  expect_contains(message, "truncated or corrupt");
}

TEST(ImportErrors, RandomBytesAreNotTorchScript) {
  std::string message = import_error("error_random_bytes.pt", {"x:f32[2,4]"});
  expect_contains(message, "not a TorchScript file");
}

TEST(ImportErrors, StateDictIsRecognized) {
  std::string message = import_error("error_state_dict.pt", {"x:f32[2,4]"});
  expect_contains(message, "torch.save checkpoint");
  expect_contains(message, "torch.jit.trace");
}

// A newer PyTorch writes a higher file-format version; the file here has
// its version record rewritten to 99, since no newer torch is installed.
TEST(ImportErrors, NewerFileFormatNamesBothVersions) {
  std::string message = import_error("error_newer_version.pt", {"x:f32[2,4]"});
  expect_contains(message, "newer PyTorch");
  expect_contains(message, "version 99");
  expect_contains(message, "reads file format versions up to ");
  expect_contains(message, "1.13");
}

// Saved code that calls an operator this LibTorch lacks fails inside
// torch::jit::load; LibTorch's reason must reach the message.
TEST(ImportErrors, UnknownBuiltinIsNamed) {
  std::string message = import_error("error_unknown_builtin.pt", {"x:f32[2,4]"});
  expect_contains(message, "cannot load this TorchScript file");
  expect_contains(message, "Unknown builtin op: aten::npujar_unknown_op");
  expect_contains(message, "LibTorch 1.13");
}

TEST(ImportErrors, InplaceUpdateOfViewedTensorIsRejected) {
  std::string message = import_error("error_view_mutation.pt", {"x:f32[3,4]"});
  expect_contains(message, "aten::add_");
  expect_contains(message, "view");
}

TEST(ImportErrors, MissingFileIsReported) {
  std::string message = import_error("no_such_model.pt", {"x:f32[2,4]"});
  expect_contains(message, "no_such_model.pt");
  expect_contains(message, "cannot open");
}

TEST(ImportErrors, WrongNumberOfInputsNamesTheArguments) {
  std::string message = import_error("tiny_bert.pt", {"ids:i64[1,16]"});
  expect_contains(message, "forward() takes 2 inputs");
  expect_contains(message, "ids");
  expect_contains(message, "mask");
}

TEST(ImportErrors, ShapeCheckInModelRaisesForWrongRank) {
  std::string message = import_error("upsample_module_scripted.pt", {"x:f32[2,8,13]"});
  expect_contains(message, "raises an exception");
  expect_contains(message, "bilinear mode needs 4D input");
}

TEST(ImportErrors, SymbolicDimInStaticPositionIsExplained) {
  std::string message = import_error("slice_cat_chunk_expand.pt", {"x:f32[2,N,7]"});
  expect_contains(message, "symbolic");
  expect_contains(message, "--input");
}

}  // namespace
}  // namespace npujar::importer::testing
