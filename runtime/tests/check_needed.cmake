# SPDX-License-Identifier: MIT
# Fails when the unixlib stand-in depends on a library a Wine unixlib must not need.
execute_process(COMMAND readelf -d ${LIB} OUTPUT_VARIABLE dyn RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "readelf -d ${LIB} failed (install binutils)")
endif()
foreach(forbidden libvulkan liburing)
  if(dyn MATCHES "NEEDED[^\n]*${forbidden}")
    message(FATAL_ERROR "${LIB} needs ${forbidden}: the static runtime must load Vulkan through the caller's "
                        "vkGetInstanceProcAddr and carry liburing inside it.\n${dyn}")
  endif()
endforeach()
message(STATUS "no libvulkan/liburing dependency: ok")
