# CMake toolchain for the PE side of dstorage.dll: MinGW-w64 for x86_64 Windows. The Windows and C
# runtime headers come from the installed Wine (WineLayout.cmake), not from MinGW.
#
# This library is free software; you can redistribute it and/or modify it under the terms of
# the GNU Lesser General Public License as published by the Free Software Foundation; either
# version 2.1 of the License, or (at your option) any later version.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(DSTORAGE_MINGW_PREFIX x86_64-w64-mingw32 CACHE STRING "MinGW-w64 tool prefix (<prefix>-gcc)")
set(CMAKE_C_COMPILER ${DSTORAGE_MINGW_PREFIX}-gcc)
set(CMAKE_RC_COMPILER ${DSTORAGE_MINGW_PREFIX}-windres)
# Wine's headers and import libraries are found by absolute path; nothing is searched in a sysroot.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY NEVER)
# The compiler check links a Windows program with MinGW's own runtime; the module never does.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
