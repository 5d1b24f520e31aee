# ---- The runtime's NPU path through the Level Zero NPU test double --------
# The double compiles the IR it receives with OpenVINO's C API (the .venv's
# openvino package), so it is built only where those headers are present.
if(NOT TARGET npujar_runtime_core OR NOT TARGET npujar)
  return()
endif()
file(GLOB npu_openvino_include_dirs
     ${PROJECT_SOURCE_DIR}/.venv/lib/python3*/site-packages/openvino/include)
file(GLOB npu_openvino_c_libraries
     ${PROJECT_SOURCE_DIR}/.venv/lib/python3*/site-packages/openvino/libs/libopenvino_c.so.*)
if(NOT npu_openvino_include_dirs OR NOT npu_openvino_c_libraries)
  message(STATUS "npu tests: the openvino package is not in .venv (scripts/setup.sh installs it); "
                 "skipping the NPU runtime tests")
  return()
endif()
list(GET npu_openvino_include_dirs 0 npu_openvino_include_dir)
list(GET npu_openvino_c_libraries 0 npu_openvino_c_library)
pkg_check_modules(NPU_LEVEL_ZERO_HEADERS REQUIRED level-zero)

add_library(npujar_ze_npu_test_double SHARED
  ze_npu_test_double/ze_npu_test_double.cc
  ze_npu_test_double/test_graph.cc
  ze_npu_test_double/openvino_c.cc
  ${PROJECT_SOURCE_DIR}/runtime/npu/serialized_ir.cc)
target_include_directories(npujar_ze_npu_test_double PRIVATE
  ${PROJECT_SOURCE_DIR}/runtime/npu ${PROJECT_SOURCE_DIR}/format/include)
target_include_directories(npujar_ze_npu_test_double SYSTEM PRIVATE
  ${NPU_LEVEL_ZERO_HEADERS_INCLUDE_DIRS} ${npu_openvino_include_dir})
target_link_libraries(npujar_ze_npu_test_double PRIVATE npujar_warnings ${CMAKE_DL_LIBS})
set_target_properties(npujar_ze_npu_test_double PROPERTIES CXX_VISIBILITY_PRESET hidden)

add_executable(npu_runtime_tests npu_runtime_test.cc serialized_ir_test.cc
               ${PROJECT_SOURCE_DIR}/tests/importer/test_models.cc)
target_include_directories(npu_runtime_tests PRIVATE ${PROJECT_SOURCE_DIR}/tests/importer
                           ${PROJECT_SOURCE_DIR}/runtime/npu)
target_include_directories(npu_runtime_tests SYSTEM PRIVATE ${NPU_LEVEL_ZERO_HEADERS_INCLUDE_DIRS})
target_link_libraries(npu_runtime_tests PRIVATE npujar_runtime_core npujar_ir npujar_warnings
                      GTest::gtest_main Threads::Threads)
add_dependencies(npu_runtime_tests npujar_ze_npu_test_double)

# Archives with a CPU variant and the NPU variant, packed by the CLI.
set(npu_archive_dir ${CMAKE_CURRENT_BINARY_DIR}/archives)
set(npu_archive_models resnet18_traced mobilenet_v3_small_traced transformer_decomposed tiny_bert
    avg_pool_exclude_pad_ceil interpolate_bilinear conv_pad_reflect gelu_both conv_plain mlp_traced)
add_test(NAME npu.pack_archives
         COMMAND ${CMAKE_COMMAND} -DNPUJAR=$<TARGET_FILE:npujar> -DMODELS=${npu_models_dir}
                 -DOUTPUT=${npu_archive_dir} "-DNAMES=${npu_archive_models}"
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/pack_archives.cmake)
set_tests_properties(npu.pack_archives PROPERTIES
  FIXTURES_REQUIRED importer_models FIXTURES_SETUP npu_archives LABELS npu TIMEOUT 1800)

set(npu_runtime_environment
  "ZE_ENABLE_ALT_DRIVERS=$<TARGET_FILE:npujar_ze_npu_test_double>"
  "NPUJAR_OPENVINO_C_LIBRARY=${npu_openvino_c_library}"
  "NPUJAR_NPU_TEST_ARCHIVES=${npu_archive_dir}"
  "NPUJAR_TEST_MODELS=${npu_models_dir}"
  "NPUJAR_LOG_LEVEL=info")
# Each scenario gets its own blob cache, so a blob cached by one scenario
# cannot hide a compile failure in another.
function(npujar_npu_runtime_test name filter)
  add_test(NAME npu.runtime.${name} COMMAND npu_runtime_tests --gtest_filter=${filter})
  set_tests_properties(npu.runtime.${name} PROPERTIES
    FIXTURES_REQUIRED "importer_models;npu_archives" LABELS npu TIMEOUT 900
    ENVIRONMENT "${npu_runtime_environment};NPUJAR_CACHE_DIR=${CMAKE_CURRENT_BINARY_DIR}/cache-${name};${ARGN}")
endfunction()

add_test(NAME npu.serialized_ir COMMAND npu_runtime_tests --gtest_filter=SerializedIr.*:BuildFlags.*)
set_tests_properties(npu.serialized_ir PROPERTIES LABELS npu)

npujar_npu_runtime_test(models "Archives/NpuModels.*"
  "NPUJAR_ZE_TEST_STATS=${CMAKE_CURRENT_BINARY_DIR}/stats-models.txt")
npujar_npu_runtime_test(cache "NpuCache.*"
  "NPUJAR_ZE_TEST_STATS=${CMAKE_CURRENT_BINARY_DIR}/stats-cache.txt")
npujar_npu_runtime_test(concurrency "NpuConcurrency.*")
npujar_npu_runtime_test(device_preference "NpuPreference.*")
npujar_npu_runtime_test(static_shapes "NpuStaticShapes.*")
# Failures on the NPU path fall back to the CPU variant, which must still match LibTorch.
npujar_npu_runtime_test(extension_mismatch_falls_back "Archives/NpuModels.*"
  "NPUJAR_ZE_TEST_GRAPH_EXTENSION=2.0" "NPUJAR_NPU_TEST_EXPECT=cpu")
npujar_npu_runtime_test(compile_failure_falls_back "Archives/NpuModels.*"
  "NPUJAR_ZE_TEST_FAIL_COMPILE=1" "NPUJAR_NPU_TEST_EXPECT=cpu")
npujar_npu_runtime_test(opset_too_new_falls_back "NpuOpsetLimit.*" "NPUJAR_ZE_TEST_MAX_OPSET=11")
# Without any Level Zero driver the NPU is absent and the CPU variant runs.
npujar_npu_runtime_test(no_driver_falls_back "Archives/NpuModels.*"
  "ZE_ENABLE_ALT_DRIVERS=${CMAKE_CURRENT_BINARY_DIR}/no-such-driver/libze_missing.so"
  "NPUJAR_NPU_TEST_EXPECT=cpu")

# pack leaves the NPU variant out, naming the node, when an operator has no
# OpenVINO equivalent, and rejects precompiled-blob targets it cannot build.
add_test(NAME npu.pack_unsupported_operator
         COMMAND ${CMAKE_COMMAND} -DNPUJAR=$<TARGET_FILE:npujar> -DMODELS=${npu_models_dir}
                 -DOUTPUT=${npu_archive_dir}/unsupported
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/pack_unsupported.cmake)
set_tests_properties(npu.pack_unsupported_operator PROPERTIES
  FIXTURES_REQUIRED importer_models LABELS npu TIMEOUT 600)

# `npujar targets` names the NPU and ranks the npu variant first.
add_test(NAME npu.cli_targets
         COMMAND ${CMAKE_COMMAND} -DNPUJAR=$<TARGET_FILE:npujar>
                 -DARCHIVE=${npu_archive_dir}/conv_plain.npujar
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/targets_shows_npu.cmake)
set_tests_properties(npu.cli_targets PROPERTIES
  FIXTURES_REQUIRED npu_archives LABELS npu TIMEOUT 120
  ENVIRONMENT "${npu_runtime_environment};NPUJAR_CACHE_DIR=${CMAKE_CURRENT_BINARY_DIR}/cache-cli")

# The same path through the C API of the shipped shared library.
if(TARGET npujar_runtime)
  add_executable(npu_c_api_tests npu_c_api_test.cc)
  target_include_directories(npu_c_api_tests PRIVATE ${PROJECT_SOURCE_DIR}/runtime/include)
  target_link_libraries(npu_c_api_tests PRIVATE npujar_runtime npujar_ir npujar_warnings
                        GTest::gtest_main)
  add_dependencies(npu_c_api_tests npujar_ze_npu_test_double)
  add_test(NAME npu.c_api COMMAND npu_c_api_tests)
  set_tests_properties(npu.c_api PROPERTIES
    FIXTURES_REQUIRED "importer_models;npu_archives" LABELS npu TIMEOUT 300
    ENVIRONMENT "${npu_runtime_environment};NPUJAR_CACHE_DIR=${CMAKE_CURRENT_BINARY_DIR}/cache-c-api")
endif()

# The NPU sections as stored in the archives, read with an independent
# Python reader of docs/format.md and run on OpenVINO's CPU device.
add_test(NAME npu.archive_sections_on_openvino
         COMMAND ${NPUJAR_OPENVINO_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_archive_ir.py
                 --archives ${npu_archive_dir} --models ${npu_models_dir}
                 --work ${CMAKE_CURRENT_BINARY_DIR}/archive-ir ${npu_archive_models})
set_tests_properties(npu.archive_sections_on_openvino PROPERTIES
  FIXTURES_REQUIRED "importer_models;npu_archives" LABELS npu TIMEOUT 600)
