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
bm() { # bm LABEL ARGS [ENV...]: one bench_module run, its rows and the queue counters
  local label=$1 args=$2; shift 2
  echo "== bench: $label: $args" >>"$S"; local t0=$SECONDS
  (cd "$bin" && env DS_KIT_STATS=1 "$@" timeout ${BT:-90} wine64 bench_module.exe --dir . $args) >"$out/b.log" 2>&1
  echo "exit $? ($((SECONDS - t0)) s)" >>"$S"
  grep -a -E "^\| [a-z]|checked|FAIL" "$out/b.log" >>"$S"
  grep -a "ds-kit stats: queue" "$out/b.log" | sed 's/.*: \([0-9]* requests\)/  \1/' | cut -c1-240 >>"$S"
  grep -a -E "Vulkan backend: [0-9]+ submissions|lock rounds" "$out/b.log" | head -4 | cut -c1-240 >>"$S"
}
rt() {
  echo "== runtime alone: npm run bench's code (bench.mjs), GPU rows, same call" >>"$S"
  if [ -x /tmp/ds-perf/node ]; then
    (env -u LD_LIBRARY_PATH DS_RUNTIME_ADDON=$PWD/.device-rt/ds_runtime.node LD_LIBRARY_PATH=$PWD/.device-rt/lib timeout 150 \
      /tmp/ds-perf/node .device-rt/bench.mjs --file build/perf-bench/data.bin --backends vulkan-gpu-seq \
      --cold-bytes 0 --bytes 4G) >"$out/rt.log" 2>&1
    echo "exit $?" >>"$S"; grep -a -v "^\s*$" "$out/rt.log" | tail -30 >>"$S"
  else echo "node from the previous call is gone (the machine was not kept): no bench.mjs row" >>"$S"; fi
  for mib in 256 128; do
    echo "== runtime alone: vulkan_throughput_test (DS_BENCH_MIB=1024, ring $mib MiB), same call" >>"$S"
    (cd "$bin" && env -u LD_LIBRARY_PATH DS_BENCH_MIB=1024 DS_BENCH_STAGING_MIB=$mib timeout 100 ./vulkan_throughput_test) >"$out/tp.log" 2>&1
    echo "exit $?" >>"$S"; grep -a -E "ceiling|backend|same readers" "$out/tp.log" >>"$S"
  done
}
T0=$SECONDS
left() { [ $((SECONDS - T0)) -lt ${1} ] || { echo "== skipped (time): $2" >>"$S"; return 1; }; }
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
