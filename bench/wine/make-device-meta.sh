#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make-device-meta.sh: fills DEST (default .device-meta5/ of this checkout; git-ignored) for
# device-meta.sh from this checkout's module build (node --import tsx scripts/wine/build-module.ts)
# and vkd3d-proton's DLLs from VKD3D_PROTON_DIR (built by ../shared/vkd3d-proton/build.sh; never
# committed): module/dstorage.{dll,so}, bin/ with bench_module.exe, gdeflate.exe,
# gpu_destinations.exe, dstorage.dll, d3d12.dll, d3d12core.dll; run.sh.
set -eu
cd "$(dirname "$0")/../.."
: "${VKD3D_PROTON_DIR:?set VKD3D_PROTON_DIR to the folder holding the d3d12.dll and d3d12core.dll of vkd3d-proton}"
dest=${DEST:-.device-meta5}
rm -rf "$dest"; mkdir -p "$dest/bin" "$dest/module"
cp build/wine-module/dstorage.dll build/wine-module/dstorage.so "$dest/module/"
cp build/wine-module/dstorage.dll "$VKD3D_PROTON_DIR/d3d12.dll" "$VKD3D_PROTON_DIR/d3d12core.dll" "$dest/bin/"
inc=build/generated/wine-8.0/include
x86_64-w64-mingw32-gcc -O2 -Wall -Wno-unused-function -I $inc bench/wine/bench_module.c \
  build/wine-module/dstorage.dll -o "$dest/bin/bench_module.exe" -ld3d12 -ldxguid
for p in gdeflate gpu_destinations; do
  x86_64-w64-mingw32-gcc -O1 -g -Wall -Wno-unused-function -I $inc test/wine/$p.c \
    build/wine-module/dstorage.dll -o "$dest/bin/$p.exe" -ld3d12 -ldxguid
done
head -1 "$VKD3D_PROTON_DIR/../VERSION" >"$dest/vkd3d-proton-VERSION" 2>/dev/null ||
  echo "vkd3d-proton from $VKD3D_PROTON_DIR" >"$dest/vkd3d-proton-VERSION"
cp bench/wine/device-meta.sh "$dest/run.sh"
du -sh "$dest"
