# SPDX-License-Identifier: MIT
# Installs the build into a scratch prefix, checks that ds_runtime.h is the only header installed,
# then builds and runs a consumer through find_package(ds-runtime) and through pkg-config.
set(prefix ${WORK}/prefix)
file(REMOVE_RECURSE ${WORK})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
  set(last_out "${out}" PARENT_SCOPE)
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix})
foreach(f include/ds_runtime.h lib/libds_runtime_static.a
          lib/cmake/ds-runtime/ds-runtime-config.cmake lib/pkgconfig/ds-runtime.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "install did not put ${f} in place")
  endif()
endforeach()
# The C ABI is the only public header: the C++ interfaces (src/ds/*.h) are internals.
file(GLOB_RECURSE headers RELATIVE ${prefix}/include ${prefix}/include/*)
if(NOT headers STREQUAL "ds_runtime.h")
  message(FATAL_ERROR "install must put exactly one header, ds_runtime.h, under include/; it put: ${headers}")
endif()
# A sanitizer build's archive needs the sanitizer runtime at link time.
set(san_flags "")
if(SANITIZE)
  set(san_flags -fsanitize=${SANITIZE})
endif()
run(${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK}/consumer -DCMAKE_PREFIX_PATH=${prefix}
    "-DCMAKE_EXE_LINKER_FLAGS=${san_flags}")
run(${CMAKE_COMMAND} --build ${WORK}/consumer)
run(${WORK}/consumer/consumer)
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
# Plain --libs, as Wine's configure runs it: the Libs line alone must link the static archive.
run(pkg-config --cflags --libs ds-runtime)
string(STRIP "${last_out}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(cc ${san_flags} -o ${WORK}/consumer-pc ${SOURCE}/main.c ${flags})
run(${WORK}/consumer-pc)
message(STATUS "find_package and pkg-config consumers: ok")
