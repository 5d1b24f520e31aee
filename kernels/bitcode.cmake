# Builds the kernel sources to LLVM bitcode with clang-15, once per
# (architecture, vector width), and embeds the results in a C++ library.
#
# Bitcode is compiled freestanding (clang's own stdint.h, no libc headers,
# no implicit library calls beyond the runtime symbols) and without -march:
# the code generator overwrites target-cpu/target-features per variant.
# Exposes:
#   NPUJAR_KERNEL_BITCODE_FILES  list of the .bc paths (cache variable)
#   npujar_kernel_bitcode        custom target building them
#   npujar_kernel_bitcode_embed  static library with npujar/kernels/bitcode.h

find_program(NPUJAR_CLANG15 NAMES clang++-15 PATHS /usr/lib/llvm-15/bin NO_DEFAULT_PATH)
find_program(NPUJAR_CLANG15 NAMES clang++-15)
find_program(NPUJAR_LLVM_LINK15 NAMES llvm-link-15 llvm-link PATHS /usr/lib/llvm-15/bin)
if(NOT NPUJAR_CLANG15 OR NOT NPUJAR_LLVM_LINK15)
  message(STATUS "kernels: clang++-15 or llvm-link-15 not found, kernel bitcode is not built")
  return()
endif()

set(bitcode_dir ${CMAKE_CURRENT_BINARY_DIR}/bitcode)
file(MAKE_DIRECTORY ${bitcode_dir})
set(bitcode_headers
  ${CMAKE_CURRENT_SOURCE_DIR}/include/npujar/kernels/kernels.h
  ${PROJECT_SOURCE_DIR}/runtime/include/npujar_model_abi.h)
file(GLOB kernel_private_headers ${CMAKE_CURRENT_SOURCE_DIR}/src/*.h)

# The (triple, vector bytes) pairs: x86-64 v2/v3/v4 and aarch64 NEON.
set(bitcode_configs "x86_64-linux-gnu:x86_64:16" "x86_64-linux-gnu:x86_64:32"
                    "x86_64-linux-gnu:x86_64:64" "aarch64-linux-gnu:aarch64:16")
set(all_bitcode)
foreach(config ${bitcode_configs})
  string(REPLACE ":" ";" parts ${config})
  list(GET parts 0 triple)
  list(GET parts 1 arch)
  list(GET parts 2 bytes)
  set(objects)
  foreach(source ${NPUJAR_KERNEL_SOURCES})
    get_filename_component(stem ${source} NAME_WE)
    set(object ${bitcode_dir}/${arch}_${bytes}/${stem}.bc)
    add_custom_command(
      OUTPUT ${object}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${bitcode_dir}/${arch}_${bytes}
      COMMAND ${NPUJAR_CLANG15} --target=${triple} -std=c++17 -O2 -emit-llvm -c
              -ffreestanding -fno-stack-protector ${NPUJAR_KERNEL_FLAGS} -Wno-psabi
              -DNPK_VECTOR_BYTES=${bytes}
              -I${CMAKE_CURRENT_SOURCE_DIR}/include -I${PROJECT_SOURCE_DIR}/runtime/include
              ${source} -o ${object}
      DEPENDS ${source} ${bitcode_headers} ${kernel_private_headers}
      COMMENT "Compiling ${stem}.cc to ${arch} bitcode, ${bytes}-byte vectors"
      VERBATIM)
    list(APPEND objects ${object})
  endforeach()
  set(linked ${bitcode_dir}/kernels_${arch}_${bytes}.bc)
  add_custom_command(
    OUTPUT ${linked}
    COMMAND ${NPUJAR_LLVM_LINK15} ${objects} -o ${linked}
    DEPENDS ${objects}
    COMMENT "Linking kernels_${arch}_${bytes}.bc"
    VERBATIM)
  list(APPEND all_bitcode ${linked})
endforeach()

add_custom_target(npujar_kernel_bitcode ALL DEPENDS ${all_bitcode})
set(NPUJAR_KERNEL_BITCODE_FILES ${all_bitcode} CACHE INTERNAL "Kernel bitcode files")

# Embed every .bc as a byte array (generated .cc) behind bitcode.h.
set(embed_source ${bitcode_dir}/kernel_bitcode_data.cc)
add_custom_command(
  OUTPUT ${embed_source}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${embed_source} "-DINPUTS=${all_bitcode}"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/embed_bitcode.cmake
  DEPENDS ${all_bitcode} ${CMAKE_CURRENT_SOURCE_DIR}/embed_bitcode.cmake
  COMMENT "Embedding kernel bitcode"
  VERBATIM)
add_library(npujar_kernel_bitcode_embed STATIC ${embed_source})
target_include_directories(npujar_kernel_bitcode_embed PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
