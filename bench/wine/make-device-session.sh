#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make-device-session.sh: fills .device-all/ (git-ignored) for device-session.sh from this checkout's
# build (npm run build-proton, then the test/wine programs built by wine-module.test.ts) and
# vkd3d-proton's DLLs from VKD3D_PROTON_DIR (built by ../shared/vkd3d-proton/build.sh; never committed).
set -eu
cd "$(dirname "$0")/../.."
: "${VKD3D_PROTON_DIR:?set VKD3D_PROTON_DIR to the folder holding the vkd3d-proton d3d12.dll and d3d12core.dll}"
b=.device-all/bin
rm -rf $b; mkdir -p $b/module
cp build/wine-module/dstorage.dll build/wine-module/dstorage.so $b/module/
cp build/wine-tests/*.exe build/wine-module/dstorage.dll $b/
x86_64-w64-mingw32-gcc -O2 -Wall -Wno-unused-function -I build/generated/wine-8.0/include \
  bench/wine/bench_module.c build/wine-module/dstorage.dll -o $b/bench_module.exe -ld3d12 -ldxguid
cp "$VKD3D_PROTON_DIR"/d3d12.dll "$VKD3D_PROTON_DIR"/d3d12core.dll $b/
cp build/runtime/release/tests/vulkan_throughput_test $b/
cp bench/wine/device-session.sh .device-all/run.sh
cp bench/wine/device-session-16.sh .device-all/run16.sh
cp bench/wine/device-speed.sh .device-all/speed.sh
cp bench/wine/device-targets.sh .device-all/targets.sh
cp bench/wine/device-lib.sh .device-all/lib.sh
# The runtime's bench code for the same-call rows (node itself stays on the machine from a
# .device-perf call: bench/runtime/make-device-payload.sh).
if [ -f .device-perf/bench.mjs ]; then
  rm -rf .device-rt; mkdir -p .device-rt
  cp -r .device-perf/bench.mjs .device-perf/ds_runtime.node .device-perf/lib .device-rt/
fi
git rev-parse --short HEAD >$b/COMMIT
du -sh $b
