# Fails when a source includes a header of a layer above its own (ARCHITECTURE.md: dependencies
# point down only: server → api/wire → api/operations → api/expressions → storage).
# Run by the check_layering target: cmake -DROOT=<source dir> -P CheckLayering.cmake
set(rules
  "storage|api/|server/"
  "api/expressions|api/operations/|api/wire/|server/|rapidjson/"
  "api/operations|api/wire/|server/|rapidjson/"
  "api/wire|server/"
  "api/errors|api/expressions/|api/operations/|api/wire/|server/|rapidjson/")
set(violations "")
foreach(rule IN LISTS rules)
  string(REPLACE "|" ";" parts "${rule}")
  list(POP_FRONT parts layer)
  file(GLOB_RECURSE sources "${ROOT}/${layer}*.h" "${ROOT}/${layer}*.cc" "${ROOT}/${layer}/*.h" "${ROOT}/${layer}/*.cc")
  foreach(source IN LISTS sources)
    file(STRINGS "${source}" includes REGEX "^#include [<\"]")
    foreach(line IN LISTS includes)
      foreach(upper IN LISTS parts)
        if(line MATCHES "^#include [<\"]${upper}")
          file(RELATIVE_PATH rel "${ROOT}" "${source}")
          string(APPEND violations "  ${rel}: ${line}\n")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "Includes that point up the layers:\n${violations}")
endif()
