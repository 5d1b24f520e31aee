// The parts of Level Zero's NPU graph extension ("ZE_extension_graph") that
// npujar uses, declared from the published interface in
// intel/level-zero-npu-extensions (ze_graph_ext.h, extension versions 1.0 to
// 1.10). That header is not packaged by Debian, and only these
// declarations are needed. Layouts and values must match the published
// ones exactly, because drivers fill these structures and tables.
//
// A driver lists the extension once per version it implements, named
// "ZE_extension_graph" (1.0) and "ZE_extension_graph_1_<minor>" (1.1 and
// later); zeDriverGetExtensionFunctionAddress with one of those names returns
// a pointer to the function table of that version. Every table starts with
// the 1.0 functions, so code that uses only them works with any 1.x table.
#pragma once

#include <level_zero/ze_api.h>

#include <cstddef>
#include <cstdint>

// An opaque graph object of the driver, as the published header declares it.
typedef struct _ze_graph_handle_t* ze_graph_handle_t;

namespace npujar::runtime::ze_graph {

inline constexpr const char* kExtensionName = "ZE_extension_graph";

// ZE_MAKE_VERSION(major, minor): major in the high 16 bits.
constexpr uint32_t make_version(uint32_t major, uint32_t minor) { return (major << 16) | minor; }
constexpr uint32_t version_major(uint32_t version) { return version >> 16; }
constexpr uint32_t version_minor(uint32_t version) { return version & 0xffffu; }

// Graph input formats (ze_graph_format_t).
enum GraphFormat : uint32_t {
  kFormatNative = 0x1,       // a blob the driver's compiler produced for this NPU
  kFormatNgraphLite = 0x2,   // serialized OpenVINO IR, compiled by the driver
};

// Structure type tags (ze_structure_type_graph_ext_t).
enum StructureType : uint32_t {
  kStructureDeviceGraphProperties = 0x1,
  kStructureGraphDesc = 0x2,
  kStructureGraphProperties = 0x3,
  kStructureGraphArgumentProperties = 0x4,
};

struct CompilerVersion {
  uint16_t major;
  uint16_t minor;
};

// ze_device_graph_properties_t.
struct DeviceGraphProperties {
  StructureType stype;
  void* next;
  uint32_t extension_version;  // make_version(major, minor)
  CompilerVersion compiler_version;
  uint32_t formats_supported;  // GraphFormat bits
  uint32_t max_opset_supported;
};

// ze_graph_desc_t: the input of pfnCreate. `input` is the blob for
// kFormatNative or the serialized IR for kFormatNgraphLite.
struct GraphDesc {
  StructureType stype;
  void* next;
  GraphFormat format;
  size_t input_size;
  const uint8_t* input;
  const char* build_flags;  // NUL-terminated, may be null for a native blob
};

// ze_graph_properties_t.
struct GraphProperties {
  StructureType stype;
  void* next;
  uint32_t num_graph_args;  // inputs first, then outputs
};

enum ArgumentType : uint32_t { kArgumentInput = 0, kArgumentOutput = 1 };

// Precision values (ze_graph_argument_precision_t) npujar's dtypes map to.
enum ArgumentPrecision : uint32_t {
  kPrecisionUnknown = 0x00,
  kPrecisionFp32 = 0x01,
  kPrecisionFp16 = 0x02,
  kPrecisionUint8 = 0x04,
  kPrecisionInt32 = 0x05,
  kPrecisionInt8 = 0x07,
  kPrecisionBf16 = 0x09,
  kPrecisionBoolean = 0x0E,
  kPrecisionInt64 = 0x11,
};

inline constexpr size_t kMaxArgumentName = 256;
inline constexpr size_t kMaxArgumentDims = 5;

// ze_graph_argument_properties_t. `dims` lists the extents outermost first;
// unused trailing entries are 1 in the NPU driver's implementation.
struct ArgumentProperties {
  StructureType stype;
  void* next;
  char name[kMaxArgumentName];
  ArgumentType type;
  uint32_t dims[kMaxArgumentDims];
  uint32_t network_precision;
  uint32_t network_layout;
  uint32_t device_precision;
  uint32_t device_layout;
};

using DeviceGetGraphPropertiesFn = ze_result_t (*)(ze_device_handle_t, DeviceGraphProperties*);
using GraphCreateFn = ze_result_t (*)(ze_context_handle_t, ze_device_handle_t, const GraphDesc*,
                                      ze_graph_handle_t*);
using GraphDestroyFn = ze_result_t (*)(ze_graph_handle_t);
using GraphGetPropertiesFn = ze_result_t (*)(ze_graph_handle_t, GraphProperties*);
using GraphGetArgumentPropertiesFn = ze_result_t (*)(ze_graph_handle_t, uint32_t,
                                                     ArgumentProperties*);
using GraphSetArgumentValueFn = ze_result_t (*)(ze_graph_handle_t, uint32_t, const void*);
using AppendGraphInitializeFn = ze_result_t (*)(ze_command_list_handle_t, ze_graph_handle_t,
                                                ze_event_handle_t, uint32_t, ze_event_handle_t*);
// The profiling query argument is an opaque handle npujar always passes as null.
using AppendGraphExecuteFn = ze_result_t (*)(ze_command_list_handle_t, ze_graph_handle_t, void*,
                                             ze_event_handle_t, uint32_t, ze_event_handle_t*);
// Call with `binary` null to get the size, then again to copy the blob.
using GraphGetNativeBinaryFn = ze_result_t (*)(ze_graph_handle_t, size_t*, uint8_t*);
using GraphBuildLogGetStringFn = ze_result_t (*)(ze_graph_handle_t, uint32_t*, char*);

// The function table through version 1.4 (ze_graph_dditable_ext_t). Entries
// npujar does not call are untyped placeholders that keep the layout.
struct DdiTable {
  // version 1.0
  GraphCreateFn create;
  GraphDestroyFn destroy;
  GraphGetPropertiesFn get_properties;
  GraphGetArgumentPropertiesFn get_argument_properties;
  GraphSetArgumentValueFn set_argument_value;
  AppendGraphInitializeFn append_graph_initialize;
  AppendGraphExecuteFn append_graph_execute;
  GraphGetNativeBinaryFn get_native_binary;
  DeviceGetGraphPropertiesFn device_get_graph_properties;
  // version 1.1: argument metadata and properties 2
  void* reserved_1_1[2];
  // version 1.2: argument properties 3
  void* reserved_1_2[1];
  // version 1.3: query network create, destroy, supported layers
  void* reserved_1_3[3];
  // version 1.4; read only when the driver's version is at least 1.4
  GraphBuildLogGetStringFn build_log_get_string;
};

}  // namespace npujar::runtime::ze_graph
