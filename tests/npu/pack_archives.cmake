# Packs each model of NAMES from make_models.py's MODELS directory with
# `npujar pack --targets cpu-x86-64-v2,npu` into OUTPUT/<name>.npujar, taking
# the --input specs from MODELS/manifest.txt. Archives newer than their
# model file and the npujar binary are kept.
file(MAKE_DIRECTORY ${OUTPUT})
file(STRINGS ${MODELS}/manifest.txt manifest_lines)
foreach(name IN LISTS NAMES)
  set(specs)
  set(current "")
  foreach(line IN LISTS manifest_lines)
    if(line MATCHES "^model ([^ ]+) ")
      set(current ${CMAKE_MATCH_1})
    elseif(current STREQUAL name AND line MATCHES "^input (.+)$")
      list(APPEND specs --input ${CMAKE_MATCH_1})
    endif()
  endforeach()
  if(NOT specs)
    message(FATAL_ERROR "pack_archives: ${name} is not in ${MODELS}/manifest.txt")
  endif()
  set(archive ${OUTPUT}/${name}.npujar)
  if(EXISTS ${archive} AND ${archive} IS_NEWER_THAN ${MODELS}/${name}.pt
     AND ${archive} IS_NEWER_THAN ${NPUJAR})
    continue()
  endif()
  execute_process(
    COMMAND ${NPUJAR} pack ${MODELS}/${name}.pt -o ${archive} --targets cpu-x86-64-v2,npu ${specs}
    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE error)
  message(STATUS "${output}")
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "pack_archives: packing ${name} failed (${status}): ${error}")
  endif()
endforeach()
