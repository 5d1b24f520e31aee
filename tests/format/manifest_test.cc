// Manifest parsing, emitting and validation.
#include <gtest/gtest.h>
#include <xxhash.h>

#include "archive_fixture.h"

namespace npujar::format {
namespace {

using testing::full_manifest;

FormatErrorCode parse_error_code(const std::string& yaml) {
  try {
    parse_manifest(yaml);
  } catch (const FormatError& error) {
    return error.code();
  }
  return FormatErrorCode::kInvalidArgument;  // no error: never expected by these tests
}

std::string parse_error_message(const std::string& yaml) {
  try {
    parse_manifest(yaml);
  } catch (const FormatError& error) {
    return error.message();
  }
  return "(accepted)";
}

const char* kValidYaml = R"(format_version: "1.0"
producer: {name: npujar, version: 0.1.0}
model: {name: m}
inputs:
  - {name: x, dtype: f32, shape: [N, 3]}
outputs:
  - {name: y, dtype: f32, shape: [N]}
symbols: [N]
graph_section: graph
)";

TEST(Manifest, RoundTripKeepsEveryField) {
  Manifest original = full_manifest();
  original.unknown_keys = {{"future_key", "a: 1\nb: [x, y]"}};
  Manifest parsed = parse_manifest(emit_manifest(original));

  EXPECT_EQ(parsed.format_major, 1);
  EXPECT_EQ(parsed.format_minor, 0);
  EXPECT_EQ(parsed.producer.name, "npujar");
  EXPECT_EQ(parsed.producer.version, "0.1.0");
  EXPECT_EQ(parsed.model.name, "tiny-mlp");
  ASSERT_EQ(parsed.inputs.size(), 2u);
  EXPECT_EQ(parsed.inputs[0].name, "x");
  EXPECT_EQ(parsed.inputs[0].dtype, "f32");
  EXPECT_EQ(parsed.inputs[0].shape[0], Dimension::symbolic("N"));
  EXPECT_EQ(parsed.inputs[0].shape[3], Dimension::fixed(224));
  EXPECT_EQ(parsed.inputs[1].shape[0], Dimension::symbolic("N", 12));
  EXPECT_EQ(parsed.inputs[1].shape[1], Dimension::fixed(0));
  EXPECT_EQ(parsed.outputs[0].dtype, "bf16");
  EXPECT_EQ(parsed.symbols, (std::vector<std::string>{"N", "S"}));
  EXPECT_EQ(parsed.graph_section, "graph");
  EXPECT_EQ(parsed.weights_section, "weights");
  EXPECT_EQ(parsed.arena.base_bytes, 4096u);
  EXPECT_EQ(parsed.arena.per_symbol_bytes.at("N"), 802816u);
  ASSERT_EQ(parsed.variants.size(), 2u);
  EXPECT_EQ(parsed.variants[0].cpu_features, (std::vector<std::string>{"avx2", "fma", "bmi2"}));
  EXPECT_EQ(parsed.variants[0].compiler, "LLVM 15.0.6");
  EXPECT_EQ(parsed.variants[0].properties.at("tile"), "8x32");
  EXPECT_FALSE(parsed.variants[0].device.has_value());
  ASSERT_TRUE(parsed.variants[1].device.has_value());
  EXPECT_EQ(parsed.variants[1].device->vendor_id, 0x8086u);
  EXPECT_EQ(parsed.variants[1].device->device_id, 0x7d1du);
  EXPECT_EQ(parsed.variants[1].device->platform, "level-zero");
  EXPECT_EQ(parsed.variants[1].abi_version, 2);
  ASSERT_EQ(parsed.unknown_keys.size(), 1u);
  EXPECT_EQ(parsed.unknown_keys[0].first, "future_key");
  EXPECT_TRUE(parsed == original);
}

TEST(Manifest, UnknownTopLevelKeysAreKept) {
  std::string yaml = std::string(kValidYaml) + "quantization: {scheme: int8, groups: [1, 2]}\n";
  Manifest manifest = parse_manifest(yaml);
  ASSERT_EQ(manifest.unknown_keys.size(), 1u);
  EXPECT_EQ(manifest.unknown_keys[0].first, "quantization");

  Manifest again = parse_manifest(emit_manifest(manifest));
  ASSERT_EQ(again.unknown_keys.size(), 1u);
  EXPECT_EQ(again.unknown_keys[0].second, manifest.unknown_keys[0].second);
}

TEST(Manifest, NewerMinorVersionIsAccepted) {
  std::string yaml = kValidYaml;
  yaml.replace(yaml.find("1.0"), 3, "1.7");
  Manifest manifest = parse_manifest(yaml);
  EXPECT_EQ(manifest.format_minor, 7);
}

TEST(Manifest, NewerMajorVersionIsRejected) {
  std::string yaml = kValidYaml;
  yaml.replace(yaml.find("1.0"), 3, "2.0");
  EXPECT_EQ(parse_error_code(yaml), FormatErrorCode::kUnsupportedVersion);
  EXPECT_NE(parse_error_message(yaml).find("2.0"), std::string::npos);
}

TEST(Manifest, HexadecimalDeviceIdsParse) {
  std::string yaml = std::string(kValidYaml) +
                     "variants:\n  - {name: v, kind: npu, format: npu-blob, sections: [graph], "
                     "abi_version: 1, device: {vendor_id: 0x8086, device_id: 32029}}\n";
  Manifest manifest = parse_manifest(yaml);
  EXPECT_EQ(manifest.variants[0].device->vendor_id, 0x8086u);
  EXPECT_EQ(manifest.variants[0].device->device_id, 32029u);
}

struct MalformedCase {
  const char* label;
  std::string yaml;
  const char* message_part;
};

TEST(Manifest, MalformedInputsAreRejectedWithTheirKey) {
  std::string valid = kValidYaml;
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string text = valid;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  std::vector<MalformedCase> cases = {
      {"invalid YAML", "format_version: [1.0\n", "invalid YAML at line"},
      {"not a mapping", "- 1\n- 2\n", "must be a mapping"},
      {"missing producer", replace("producer: {name: npujar, version: 0.1.0}\n", ""),
       "key 'producer' is missing"},
      {"missing graph_section", replace("graph_section: graph\n", ""),
       "key 'graph_section' is missing"},
      {"bad dtype", replace("dtype: f32, shape: [N, 3]", "dtype: f64, shape: [N, 3]"),
       "inputs[0].dtype 'f64'"},
      {"bad dimension", replace("[N, 3]", "[N, -3]"), "'inputs[0].shape[1]' value '-3'"},
      {"undeclared symbol", replace("[N, 3]", "[B, 3]"), "symbol 'B'"},
      {"duplicate input", replace("outputs:", "  - {name: x, dtype: f32, shape: []}\noutputs:"),
       "inputs[1].name 'x'"},
      {"shape not a list", replace("[N, 3]", "7"), "'inputs[0].shape' must be a list"},
      {"bad version text", replace("\"1.0\"", "one"), "format_version 'one'"},
      {"negative arena", valid + "arena: {base_bytes: -5}\n", "'arena.base_bytes' value -5"},
      {"variant without sections",
       valid + "variants:\n  - {name: v, kind: cpu, format: object, sections: [], abi_version: 1}\n",
       "variants[0].sections is empty"},
      {"variant abi zero",
       valid + "variants:\n  - {name: v, kind: cpu, format: object, sections: [g], abi_version: 0}\n",
       "variants[0].abi_version is 0"},
      {"invalid UTF-8", replace("model: {name: m}", "model: {name: \"m\xff\"}"),
       "text is not valid UTF-8 at byte"},
      {"overlong UTF-8", replace("model: {name: m}", "model: {name: \"m\xc0\xaf\"}"),
       "text is not valid UTF-8 at byte"},
      {"control character", replace("model: {name: m}", "model: {name: \"m\\x1b[2J\"}"),
       "model.name contains control character 27 at byte 1"},
      {"bad content hash", replace("model: {name: m}", "model: {name: m, content_hash: xyz}"),
       "model.content_hash 'xyz'"},
  };
  for (const MalformedCase& c : cases) {
    SCOPED_TRACE(c.label);
    EXPECT_EQ(parse_error_code(c.yaml), FormatErrorCode::kMalformedManifest);
    EXPECT_NE(parse_error_message(c.yaml).find(c.message_part), std::string::npos)
        << parse_error_message(c.yaml);
  }
}

TEST(Manifest, EmitRejectsInvalidManifest) {
  Manifest manifest = full_manifest();
  manifest.inputs[0].dtype = "float";
  try {
    emit_manifest(manifest);
    FAIL() << "emit_manifest accepted dtype 'float'";
  } catch (const FormatError& error) {
    EXPECT_EQ(error.code(), FormatErrorCode::kInvalidArgument);
  }
}

TEST(Utf8, AcceptsValidAndFindsFirstInvalidByte) {
  EXPECT_FALSE(find_invalid_utf8("plain ascii").has_value());
  EXPECT_FALSE(find_invalid_utf8("gr\xc3\xb6\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x98\x80").has_value());
  EXPECT_EQ(find_invalid_utf8("ab\xff"), std::optional<size_t>(2));
  EXPECT_EQ(find_invalid_utf8("a\xe2\x82"), std::optional<size_t>(1));       // truncated
  EXPECT_EQ(find_invalid_utf8("\xed\xa0\x80"), std::optional<size_t>(0));   // surrogate U+D800
  EXPECT_EQ(find_invalid_utf8("\xf4\x90\x80\x80"), std::optional<size_t>(0));  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("\xe0\x80\xaf"), std::optional<size_t>(0));   // overlong
}

TEST(Dimension, ParsesTheThreeForms) {
  EXPECT_EQ(parse_dimension("224"), Dimension::fixed(224));
  EXPECT_EQ(parse_dimension("N"), Dimension::symbolic("N"));
  EXPECT_EQ(parse_dimension("12*N"), Dimension::symbolic("N", 12));
  EXPECT_EQ(parse_dimension("seq_len"), Dimension::symbolic("seq_len"));
  EXPECT_FALSE(parse_dimension("").has_value());
  EXPECT_FALSE(parse_dimension("-1").has_value());
  EXPECT_FALSE(parse_dimension("N*12").has_value());
  EXPECT_FALSE(parse_dimension("0*N").has_value());
  EXPECT_FALSE(parse_dimension("3N").has_value());
  EXPECT_FALSE(parse_dimension("99999999999999999999").has_value());
  EXPECT_EQ(Dimension::symbolic("N", 12).to_string(), "12*N");
}

TEST(ArenaSpec, SizeIsBasePlusSymbolTerms) {
  ArenaSpec arena;
  arena.base_bytes = 100;
  arena.per_symbol_bytes = {{"N", 7}, {"S", 3}};
  // 100 + 7*5 + 3*11 = 168
  EXPECT_EQ(arena.bytes_for({{"N", 5}, {"S", 11}}), std::optional<uint64_t>(168));
  EXPECT_FALSE(arena.bytes_for({{"N", 5}}).has_value());
  arena.per_symbol_bytes = {{"N", uint64_t{1} << 62}};
  EXPECT_FALSE(arena.bytes_for({{"N", 8}}).has_value());
}

TEST(ContentHash, MatchesOneShotXxh128OfConcatenation) {
  std::vector<uint8_t> graph = testing::pattern_bytes(1000, 9);
  std::vector<uint8_t> weights = testing::pattern_bytes(3000, 5);
  std::vector<uint8_t> joined = graph;
  joined.insert(joined.end(), weights.begin(), weights.end());
  XXH128_hash_t reference = XXH3_128bits(joined.data(), joined.size());
  char expected[33];
  std::snprintf(expected, sizeof(expected), "%016llx%016llx",
                static_cast<unsigned long long>(reference.high64),
                static_cast<unsigned long long>(reference.low64));
  EXPECT_EQ(compute_content_hash(graph.data(), graph.size(), weights.data(), weights.size()),
            expected);
}

TEST(ContentHash, EmptyInputMatchesPublishedVector) {
  // XXH3-128 of zero bytes, as listed in xxHash's own test vectors.
  EXPECT_EQ(compute_content_hash(nullptr, 0, nullptr, 0), "99aa06d3014798d86001c324468d497f");
}

TEST(Checksum, EmptyInputMatchesPublishedVector) {
  // XXH3-64 of zero bytes with seed 0, as listed in xxHash's own test vectors.
  EXPECT_EQ(checksum64(nullptr, 0), 0x2D06800538D394C2ull);
}

}  // namespace
}  // namespace npujar::format
