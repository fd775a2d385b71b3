# Where the installed Wine keeps what the module builds against, found from the Wine itself: its
# prefix is WINE_PREFIX when given, else the directory above the winebuild found on PATH. Knows the
# upstream layout (Arch, `make install`: <prefix>/include/wine/windows, <prefix>/lib/wine/x86_64-*)
# and Debian's (<prefix>/include/wine/wine/windows, <prefix>/lib/<multiarch>/wine/x86_64-*).
# Every result is a cache variable a packager can set instead.
#
# Sets: WINEBUILD, WINEGCC, WINE_WINDOWS_INCLUDE_DIR (windef.h), WINE_MSVCRT_INCLUDE_DIR (stdarg.h),
#       WINE_INCLUDE_DIR (holds wine/debug.h), WINE_LIB_DIR (x86_64-windows/ with the import libraries; x86_64-unix/).
#
# This library is free software; you can redistribute it and/or modify it under the terms of
# the GNU Lesser General Public License as published by the Free Software Foundation; either
# version 2.1 of the License, or (at your option) any later version.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set(WINE_PREFIX "" CACHE PATH "Prefix of the installed Wine (default: the one whose winebuild is on PATH)")

function(dstorage_wine_fail what)
  message(FATAL_ERROR "${what}\nInstall Wine's development files (Debian: './scripts/install-deps.sh', packages wine64-tools and libwine-dev; "
    "Arch: wine), or point at another Wine with --wine-prefix DIR (cmake: -DWINE_PREFIX=DIR).")
endfunction()

if(WINE_PREFIX)
  find_program(WINEBUILD winebuild PATHS "${WINE_PREFIX}/bin" "${WINE_PREFIX}/lib/wine" NO_DEFAULT_PATH)
  find_program(WINEGCC winegcc PATHS "${WINE_PREFIX}/bin" "${WINE_PREFIX}/lib/wine" NO_DEFAULT_PATH)
  set(_wine_prefix "${WINE_PREFIX}")
else()
  find_program(WINEBUILD winebuild)
  find_program(WINEGCC winegcc)
  if(WINEBUILD)
    # /usr/bin/winebuild -> /usr; the link target (Debian: /usr/lib/wine/winebuild) is not followed.
    get_filename_component(_wine_bin "${WINEBUILD}" DIRECTORY)
    get_filename_component(_wine_prefix "${_wine_bin}" DIRECTORY)
  endif()
endif()
if(NOT WINEBUILD OR NOT WINEGCC)
  if(WINE_PREFIX)
    dstorage_wine_fail("winebuild and winegcc were not found in ${WINE_PREFIX}/bin")
  else()
    dstorage_wine_fail("winebuild and winegcc were not found on PATH")
  endif()
endif()

if(NOT WINE_WINDOWS_INCLUDE_DIR)
  foreach(_dir "${_wine_prefix}/include/wine/windows" "${_wine_prefix}/include/wine/wine/windows")
    if(EXISTS "${_dir}/windef.h" AND NOT WINE_WINDOWS_INCLUDE_DIR)
      set(WINE_WINDOWS_INCLUDE_DIR "${_dir}" CACHE PATH "Wine's Windows headers (windef.h, d3d12.h)")
    endif()
  endforeach()
endif()
if(NOT EXISTS "${WINE_WINDOWS_INCLUDE_DIR}/windef.h")
  dstorage_wine_fail("no windef.h under ${_wine_prefix}/include/wine/windows or ${_wine_prefix}/include/wine/wine/windows")
endif()
get_filename_component(_wine_headers "${WINE_WINDOWS_INCLUDE_DIR}" DIRECTORY)
set(WINE_MSVCRT_INCLUDE_DIR "${_wine_headers}/msvcrt" CACHE PATH "Wine's C runtime headers (stdarg.h)")
if(NOT WINE_INCLUDE_DIR)
  foreach(_dir "${_wine_headers}" "${_wine_headers}/..")
    get_filename_component(_dir "${_dir}" ABSOLUTE)
    if(EXISTS "${_dir}/wine/debug.h" AND NOT WINE_INCLUDE_DIR)
      set(WINE_INCLUDE_DIR "${_dir}" CACHE PATH "The directory holding Wine's wine/debug.h")
    endif()
  endforeach()
endif()
foreach(_file "${WINE_MSVCRT_INCLUDE_DIR}/stdarg.h" "${WINE_INCLUDE_DIR}/wine/debug.h")
  if(NOT EXISTS "${_file}")
    dstorage_wine_fail("Wine's headers beside ${WINE_WINDOWS_INCLUDE_DIR} are incomplete: ${_file} is missing")
  endif()
endforeach()

if(NOT WINE_LIB_DIR)
  set(_candidates "${_wine_prefix}/lib/wine" "${_wine_prefix}/lib64/wine")
  if(CMAKE_LIBRARY_ARCHITECTURE)
    list(INSERT _candidates 0 "${_wine_prefix}/lib/${CMAKE_LIBRARY_ARCHITECTURE}/wine")
  endif()
  list(APPEND _candidates "${_wine_prefix}/lib/x86_64-linux-gnu/wine")
  foreach(_dir ${_candidates})
    if(EXISTS "${_dir}/x86_64-windows/libntdll.a" AND NOT WINE_LIB_DIR)
      set(WINE_LIB_DIR "${_dir}" CACHE PATH "Wine's library directory (x86_64-windows/, x86_64-unix/)")
    endif()
  endforeach()
endif()
# Only the PE side links against Wine (its import libraries); the Unix side finds ntdll.so at run time.
if(NOT EXISTS "${WINE_LIB_DIR}/x86_64-windows/libntdll.a")
  dstorage_wine_fail("no Wine library directory with x86_64-windows/libntdll.a under ${_wine_prefix}/lib")
endif()
message(STATUS "Wine: ${WINEBUILD}; headers ${WINE_WINDOWS_INCLUDE_DIR}; libraries ${WINE_LIB_DIR}")
