# Checks `npujar pack` around the NPU target:
#  1. avg_pool_divisor (avg_pool2d with divisor_override) packs with
#     --targets cpu-x86-64-v2,npu, pack names the node it cannot export, and
#     the archive has the cpu variant but no npu variant;
#  2. --targets npu-3720 fails before writing anything, saying why.
file(MAKE_DIRECTORY ${OUTPUT})
set(archive ${OUTPUT}/avg_pool_divisor.npujar)
execute_process(
  COMMAND ${NPUJAR} pack ${MODELS}/avg_pool_divisor.pt -o ${archive}
          --targets cpu-x86-64-v2,npu --input x:f32[2,8,13,17]
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE error)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "pack failed (${status}): ${error}")
endif()
if(NOT output MATCHES "npu variant left out" OR NOT output MATCHES "divisor override")
  message(FATAL_ERROR "pack did not explain the missing npu variant:\n${output}")
endif()
execute_process(COMMAND ${NPUJAR} inspect ${archive} RESULT_VARIABLE status OUTPUT_VARIABLE listing)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "npujar inspect ${archive} failed (${status})")
endif()
if(listing MATCHES "npu-openvino")
  message(FATAL_ERROR "${archive} lists npu-openvino although the variant was left out")
endif()
if(NOT listing MATCHES "cpu-x86-64-v2: kind cpu")
  message(FATAL_ERROR "${archive} lacks the cpu-x86-64-v2 variant:\n${listing}")
endif()

set(blob_archive ${OUTPUT}/blob.npujar)
file(REMOVE ${blob_archive})
execute_process(
  COMMAND ${NPUJAR} pack ${MODELS}/conv_plain.pt -o ${blob_archive} --targets npu-3720
          --input x:f32[2,8,13,17]
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE error)
if(status EQUAL 0 OR EXISTS ${blob_archive})
  message(FATAL_ERROR "pack --targets npu-3720 succeeded; expected a rejection")
endif()
if(NOT error MATCHES "precompiled NPU blobs")
  message(FATAL_ERROR "pack --targets npu-3720 failed without saying why: ${error}")
endif()
