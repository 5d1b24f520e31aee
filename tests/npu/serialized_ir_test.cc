// The NGRAPH_LITE input layout against bytes written out by hand from the
// layout OpenVINO's NPU plugin uses, and its parser's rejections.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "serialized_ir.h"

namespace npujar::runtime::npu {
namespace {

TEST(SerializedIr, LayoutMatchesPluginContract) {
  const std::string xml = "<net/>";
  const std::vector<uint8_t> weights = {0xaa, 0xbb, 0xcc};
  std::vector<uint8_t> bytes = serialize_ir({7, 3}, reinterpret_cast<const uint8_t*>(xml.data()),
                                            xml.size(), weights.data(), weights.size());
  const std::vector<uint8_t> expected = {
      7, 0, 3, 0,                          // compiler 7.3, two u16
      2, 0, 0, 0,                          // two buffers, u32
      6, 0, 0, 0, 0, 0, 0, 0,              // XML size, u64
      '<', 'n', 'e', 't', '/', '>',        // XML
      3, 0, 0, 0, 0, 0, 0, 0,              // weights size, u64
      0xaa, 0xbb, 0xcc};                   // weights
  EXPECT_EQ(bytes, expected);
}

TEST(SerializedIr, ParseRoundTrips) {
  const std::string xml = "<net name=\"m\"/>";
  std::vector<uint8_t> weights(100, 0x5a);
  std::vector<uint8_t> bytes = serialize_ir({5, 0}, reinterpret_cast<const uint8_t*>(xml.data()),
                                            xml.size(), weights.data(), weights.size());
  ze_graph::CompilerVersion compiler{};
  std::string parsed_xml;
  std::vector<uint8_t> parsed_weights;
  ASSERT_TRUE(parse_serialized_ir(bytes.data(), bytes.size(), &compiler, &parsed_xml, &parsed_weights));
  EXPECT_EQ(compiler.major, 5);
  EXPECT_EQ(compiler.minor, 0);
  EXPECT_EQ(parsed_xml, xml);
  EXPECT_EQ(parsed_weights, weights);
}

TEST(SerializedIr, TruncatedInputIsRejected) {
  const std::string xml = "<net/>";
  std::vector<uint8_t> bytes = serialize_ir({1, 0}, reinterpret_cast<const uint8_t*>(xml.data()),
                                            xml.size(), nullptr, 0);
  ze_graph::CompilerVersion compiler{};
  std::string parsed_xml;
  std::vector<uint8_t> parsed_weights;
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_FALSE(parse_serialized_ir(bytes.data(), size, &compiler, &parsed_xml, &parsed_weights))
        << "accepted the first " << size << " of " << bytes.size() << " bytes";
  }
}

TEST(SerializedIr, HugeXmlSizeIsRejected) {
  std::vector<uint8_t> bytes = {1, 0, 0, 0, 2, 0, 0, 0};
  bytes.insert(bytes.end(), 8, 0xff);  // XML size 2^64 - 1
  ze_graph::CompilerVersion compiler{};
  std::string xml;
  std::vector<uint8_t> weights;
  EXPECT_FALSE(parse_serialized_ir(bytes.data(), bytes.size(), &compiler, &xml, &weights));
}

TEST(BuildFlags, NamePrecisionAndLayoutPerArgument) {
  format::Manifest manifest;
  manifest.inputs.push_back({"x", "f32", {format::Dimension::fixed(1), format::Dimension::fixed(3),
                                          format::Dimension::fixed(8), format::Dimension::fixed(8)}});
  manifest.inputs.push_back({"ids", "i64", {format::Dimension::fixed(1), format::Dimension::fixed(16)}});
  manifest.outputs.push_back({"y", "f32", {format::Dimension::fixed(1), format::Dimension::fixed(10)}});
  EXPECT_EQ(build_flags(manifest),
            "--inputs_precisions=\"x:FP32 ids:I64\" --inputs_layouts=\"x:NCHW ids:NC\" "
            "--outputs_precisions=\"y:FP32\" --outputs_layouts=\"y:NC\" "
            "--config PERFORMANCE_HINT=\"LATENCY\"");
}

}  // namespace
}  // namespace npujar::runtime::npu
