#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-speed.sh (copied as .device-all/speed.sh by make-device-session.sh): the module's
# file -> GPU buffer rows at 64 KiB, 1 MiB and 16 MiB on both GPU paths under vkd3d-proton and
# under Wine's d3d12, each size its own run and time limit, with the queue's DS_KIT_STATS counters
# (slot waits, completion rounds); the 64 KiB memory rows with their ReadFile baselines; GDeflate
# into buffers on both paths with both kinds of data (--data mixed is npm run bench's); every test
# program on both paths; and the runtime alone (npm run bench's code with node left in
# /tmp/ds-perf by a .device-perf call, and vulkan_throughput_test with a 256 and a 128 MiB ring)
# in the same call. Run from the repository root:
#   bash .device-wine/wine-on-gpu.sh .device-wine -- bash .device-all/speed.sh
# Writes $OUT/speed.log.
set -u
SUMMARY=speed.log
. "$(dirname "$0")/lib.sh"
rt() {
  echo "== runtime alone: npm run bench's code (bench.mjs), GPU rows, same call" >>"$S"
  runtime_bench 150 && grep -a -v "^\s*$" "$out/rt.log" | tail -30 >>"$S"
  for mib in 256 128; do
    echo "== runtime alone: vulkan_throughput_test (DS_BENCH_MIB=1024, ring $mib MiB), same call" >>"$S"
    (cd "$bin" && env -u LD_LIBRARY_PATH DS_BENCH_MIB=1024 DS_BENCH_STAGING_MIB=$mib timeout 100 ./vulkan_throughput_test) >"$out/tp.log" 2>&1
    echo "exit $?" >>"$S"; grep -a -E "ceiling|backend|same readers" "$out/tp.log" >>"$S"
  done
}
rt
for size in 64 1024 16384; do
  bm "vulkan path, $size KiB" "--mib 1024 --reps 2 --only plain --dest buffer --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
  bm "d3d12 path under vkd3d-proton, $size KiB" "--mib 1024 --reps 2 --only plain --dest buffer --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
done
bm "Wine's d3d12, 64 KiB, memory rows and baselines" "--mib 1024 --reps 2 --only plain --size 64" WINEDLLOVERRIDES="$W"
for data in mixed texture; do
  bm "vulkan path, GDeflate, $data data" "--mib 256 --reps 2 --only gdeflate --dest buffer --data $data" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
done
bm "d3d12 path, GDeflate meta command, mixed data, staging 256" "--mib 256 --reps 2 --only gdeflate --dest buffer --data mixed --staging 256" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12 DS_KIT_GDEFLATE_PATH=gpu
left 400 "tests vulkan path" && t vkd3d-default WINEDLLOVERRIDES="$P"
left 460 "tests d3d12 path" && t vkd3d-d3d12 WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
rm -f "$bin"/bench_module_*.bin "$bin"/vkd3d-proton.cache* 2>/dev/null
cat "$S"
exit 0
