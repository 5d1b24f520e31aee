# `npujar targets ARCHIVE` with the NPU test double installed: the host
# section names the NPU and its graph extension, the npu variant is the
# first candidate, and --device cpu moves a cpu variant first.
execute_process(COMMAND ${NPUJAR} targets ${ARCHIVE}
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE error)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "npujar targets failed (${status}): ${error}")
endif()
if(NOT output MATCHES "npu: NPU 'npujar test NPU \\(OpenVINO CPU\\)'[^\n]*graph extension 1\\.4")
  message(FATAL_ERROR "npujar targets does not describe the NPU:\n${output}")
endif()
if(NOT output MATCHES "=> npu-openvino +device: host has npu")
  message(FATAL_ERROR "npujar targets does not rank the npu variant first:\n${output}")
endif()

execute_process(COMMAND ${NPUJAR} targets --device cpu ${ARCHIVE}
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE error)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "npujar targets --device cpu failed (${status}): ${error}")
endif()
if(NOT output MATCHES "=> cpu-x86-64-v2" OR NOT output MATCHES "npu-openvino +skipped: device preference is cpu")
  message(FATAL_ERROR "npujar targets --device cpu does not prefer the cpu variant:\n${output}")
endif()
