#include <gtest/gtest.h>

#include "npujar/importer/importer.h"

namespace npujar::importer {
namespace {

TEST(InputSpec, ParsesStaticAndSymbolicDims) {
  InputSpec spec = parse_input_spec("x:f32[N,3,224,4*B]");
  EXPECT_EQ(spec.name, "x");
  EXPECT_EQ(spec.dtype, ir::DType::kF32);
  ASSERT_EQ(spec.shape.size(), 4u);
  EXPECT_EQ(spec.shape[0], ir::Dim::symbolic("N"));
  EXPECT_EQ(spec.shape[1], ir::Dim::fixed(3));
  EXPECT_EQ(spec.shape[2], ir::Dim::fixed(224));
  EXPECT_EQ(spec.shape[3], ir::Dim::symbolic("B", 4));
}

TEST(InputSpec, ParsesScalarAndOtherDtypes) {
  InputSpec scalar = parse_input_spec("step:i64[]");
  EXPECT_EQ(scalar.dtype, ir::DType::kI64);
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(parse_input_spec("mask:bool[1,16]").dtype, ir::DType::kBool);
}

TEST(InputSpec, RejectsMalformedSpecs) {
  for (const char* text : {"x", "x:f32", "x:f32[1,2", "x:f64[1]", "1x:f32[1]", "x:f32[1,,2]", "x:f32[-1]",
                           "x:f32[0*N]", "x:f32[3N]"}) {
    EXPECT_THROW(parse_input_spec(text), ImportError) << text;
  }
}

TEST(InputSpec, ErrorNamesTheSpecAndTheFix) {
  try {
    parse_input_spec("x:float[1,3]");
    FAIL() << "no error";
  } catch (const ImportError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("float"), std::string::npos) << message;
    EXPECT_NE(message.find("f32"), std::string::npos) << message;
  }
}

TEST(InputSpec, RejectsShapesOverOneTebibyte) {
  // 2^38 floats are exactly 1 TiB and pass; one more element, a product
  // that overflows int64_t, or a large symbol coefficient does not.
  EXPECT_NO_THROW(parse_input_spec("x:f32[262144,1048576]"));
  for (const char* text : {"x:f32[262145,1048576]", "x:u8[999999999999999999,999999999999999999]",
                           "x:f32[N,3,1000000*H,1000000]"}) {
    try {
      parse_input_spec(text);
      ADD_FAILURE() << "no error for " << text;
    } catch (const ImportError& error) {
      std::string message = error.what();
      EXPECT_NE(message.find(text), std::string::npos) << message;
      EXPECT_NE(message.find("1 TiB"), std::string::npos) << message;
    }
  }
}

TEST(OperatorDocs, ListsEveryFamilyAndInplaceForms) {
  std::string document = operators_markdown();
  for (const char* kind : {"`aten::_convolution`", "`aten::conv2d`", "`aten::relu_`", "`aten::hardtanh_`",
                           "`aten::_transformer_encoder_layer_fwd`", "`aten::_native_multi_head_attention`",
                           "`prim::If`", "`aten::upsample_bilinear2d`", "`aten::layer_norm`"}) {
    EXPECT_NE(document.find(kind), std::string::npos) << kind;
  }
}

}  // namespace
}  // namespace npujar::importer
