#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-session.sh (copied as .device-all/run.sh): one call on the GPU machine with every test/wine
# program under vkd3d-proton on both GPU paths, the module benchmark on every path (plain, GDeflate,
# Zstandard) and the runtime's own `npm run bench` GPU rows (node left in /tmp/ds-perf by a
# .device-perf call just before) plus vulkan_throughput_test, all in the same call. Run from the root:
#   bash .device-wine/wine-on-gpu.sh .device-wine -- bash .device-all/run.sh
# Fill .device-all/bin with bench/wine/make-device-session.sh. Writes $OUT/summary.log.
set -u
SUMMARY=summary.log
. "$(dirname "$0")/lib.sh"
BT=${BT:-100}
rt() {
  echo "== runtime alone: npm run bench's code (bench.mjs), GPU rows, same call" >>"$S"
  runtime_bench 150 vulkan-gpu,vulkan-gpu-seq && grep -a -v "^\s*$" "$out/rt.log" | tail -40 >>"$S"
  echo "== runtime alone: vulkan_throughput_test (DS_BENCH_MIB=1024), same call" >>"$S"
  (cd "$bin" && env -u LD_LIBRARY_PATH DS_BENCH_MIB=1024 timeout 100 ./vulkan_throughput_test) >"$out/tp.log" 2>&1
  echo "exit $?" >>"$S"; grep -a -E "ceiling|backend|same readers" "$out/tp.log" >>"$S"
}
rt
t vkd3d-default WINEDLLOVERRIDES="$P"
left 200 "tests d3d12 path" && t vkd3d-d3d12 WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
bm "vkd3d-proton default path, plain" "--mib 1024 --reps 1 --only plain" WINEDLLOVERRIDES="$P"
bm "vkd3d-proton DS_KIT_GPU_PATH=vulkan, plain" "--mib 1024 --reps 1 --only plain" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
bm "vkd3d-proton DS_KIT_GPU_PATH=d3d12, plain" "--mib 1024 --reps 1 --only plain" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
bm "vkd3d-proton d3d12 path, GDeflate, meta command, staging 256" "--mib 256 --reps 2 --only gdeflate --dest buffer --staging 256" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
bm "vkd3d-proton vulkan path, GDeflate, staging 256" "--mib 256 --reps 2 --only gdeflate --dest buffer --staging 256" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
left 330 cpu && bm "vkd3d-proton d3d12 path, GDeflate CPU decode" "--mib 256 --reps 1 --only gdeflate --dest buffer" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12 DS_KIT_GDEFLATE_PATH=cpu
left 400 hvv && bm "vkd3d-proton no_upload_hvv d3d12 path, GDeflate meta" "--mib 256 --reps 2 --only gdeflate --dest buffer" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12 VKD3D_CONFIG=no_upload_hvv
left 420 "wine d3d12 bench" && bm "Wine's d3d12, plain" "--mib 1024 --reps 1 --only plain" WINEDLLOVERRIDES="$W"
left 450 zstd && bm "vkd3d-proton default, zstd" "--mib 256 --reps 1 --only gdeflate --format zstd --dest buffer" WINEDLLOVERRIDES="$P"
left 470 "wine d3d12 tests" && t wine-d3d12 WINEDLLOVERRIDES="$W"
left 520 "runtime again" && rt
rm -f "$bin"/bench_module_*.bin "$bin"/vkd3d-proton.cache* 2>/dev/null
cat "$S"
exit 0
