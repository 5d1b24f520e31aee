# Fails unless LIBRARY depends only on the C library family and exports only
# JNI symbols. Run as: cmake -DLIBRARY=path/libnpujar_jni.so -P check_library.cmake
find_program(READELF NAMES readelf REQUIRED)

execute_process(COMMAND ${READELF} --dynamic --wide ${LIBRARY}
  OUTPUT_VARIABLE dynamic RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "readelf --dynamic ${LIBRARY} failed with status ${status}")
endif()
string(REGEX MATCHALL "Shared library: \\[[^]]+\\]" needed "${dynamic}")
foreach(entry ${needed})
  string(REGEX REPLACE "Shared library: \\[([^]]+)\\]" "\\1" name "${entry}")
  if(NOT name MATCHES "^(libc|libm|libdl|libpthread|librt|ld-linux-[a-z0-9_-]+)\\.so")
    message(FATAL_ERROR "${LIBRARY} depends on ${name}; link it statically so the JAR's library needs only libc, libm, libdl and libpthread")
  endif()
endforeach()

execute_process(COMMAND ${READELF} --dyn-syms --wide ${LIBRARY}
  OUTPUT_VARIABLE symbols RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "readelf --dyn-syms ${LIBRARY} failed with status ${status}")
endif()
string(REPLACE "\n" ";" lines "${symbols}")
set(jni_count 0)
foreach(line ${lines})
  # Defined (section index not UND) global or weak symbols are exports.
  if(line MATCHES "^ *[0-9]+: [0-9a-f]+ +[0-9]+ +[A-Z]+ +(GLOBAL|WEAK) +DEFAULT +[0-9]+ +([^ @]+)")
    set(symbol ${CMAKE_MATCH_2})
    if(symbol MATCHES "^(Java_dev_npujar_|JNI_OnLoad$|JNI_OnUnload$)")
      math(EXPR jni_count "${jni_count} + 1")
    else()
      message(FATAL_ERROR "${LIBRARY} exports ${symbol}; only JNI entry points may be exported (see exports.map)")
    endif()
  endif()
endforeach()
if(jni_count EQUAL 0)
  message(FATAL_ERROR "${LIBRARY} exports no JNI entry points")
endif()
message(STATUS "${LIBRARY}: ${jni_count} JNI symbols exported, dependencies: ${needed}")
