// Constants of the graph section encoding shared by serialize.cc and
// deserialize.cc; docs/ir.md has the field tables.
#pragma once

#include <cstdint>

namespace npujar::ir::encoding {

// The symbol string index of a static dim.
inline constexpr uint32_t kNoSymbol = 0xFFFFFFFF;

enum class AttributeType : uint8_t { kInt = 1, kFloat = 2, kString = 3, kInts = 4, kFloats = 5 };

}  // namespace npujar::ir::encoding
