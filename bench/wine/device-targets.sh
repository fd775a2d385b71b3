#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-targets.sh (copied as .device-all/targets.sh by make-device-session.sh): the rows issues 10
# and 11 set targets for, in one call, 1 GiB each (the runtime's own row size), with where the CPU
# time goes (cpu_by_thread: each thread's CPU seconds, the runtime's threads named "ds-..."):
# - the runtime alone (npm run bench's code: file -> GPU and GDeflate file -> GPU, 16 MiB);
# - GDeflate file -> GPU buffer on the vulkan path (mixed data, 64 KiB / 1 MiB / 16 MiB);
# - GDeflate on the d3d12 path through the meta command with the default 32 MiB staging, mixed and
#   texture data, vkd3d-proton's default settings and VKD3D_CONFIG=no_upload_hvv;
# - file -> GPU buffer under Wine's d3d12 and both vkd3d-proton paths, with the ReadFile baseline.
# Run from the repository root, node left in /tmp/ds-perf by a .device-perf call just before:
#   bash .device-wine/wine-on-gpu.sh .device-wine -- bash .device-all/targets.sh
# Writes $OUT/targets.log.
set -u
SUMMARY=targets.log
. "$(dirname "$0")/lib.sh"
bm() { # bm LABEL ARGS [ENV...]: one bench_module run, its rows, the queue counters, the CPU by thread
  local label=$1 args=$2; shift 2
  echo "== bench: $label: $args" >>"$S"; local t0=$SECONDS
  cpu_by_thread bench_module.exe "$out/threads" &
  local sampler=$!
  (cd "$bin" && env DS_KIT_STATS=1 "$@" timeout ${BT:-90} wine64 bench_module.exe --dir . $args) >"$out/b.log" 2>&1
  echo "exit $? ($((SECONDS - t0)) s)" >>"$S"
  sleep 0.5; kill $sampler 2>/dev/null; wait $sampler 2>/dev/null
  grep -a -E "^\| [a-z]|checked|FAIL" "$out/b.log" >>"$S"
  grep -a "ds-kit stats: queue" "$out/b.log" | sed 's/.*: \([0-9]* requests\)/  \1/' | cut -c1-240 >>"$S"
  cpu_summary "$out/threads" >>"$S"; rm -f "$out/threads"
}
T0=$SECONDS
left() { [ $((SECONDS - T0)) -lt ${1} ] || { echo "== skipped (time): $2" >>"$S"; return 1; }; }
echo "== runtime alone: npm run bench's code (bench.mjs), GPU and GDeflate rows, same call" >>"$S"
if [ -x /tmp/ds-perf/node ]; then
  (env -u LD_LIBRARY_PATH DS_RUNTIME_ADDON=$PWD/.device-rt/ds_runtime.node LD_LIBRARY_PATH=$PWD/.device-rt/lib timeout 170 \
    /tmp/ds-perf/node .device-rt/bench.mjs --file build/perf-bench/data.bin --backends vulkan-gpu-seq \
    --cold-bytes 0 --bytes 4G) >"$out/rt.log" 2>&1
  echo "exit $?" >>"$S"; grep -a -v "^\s*$" "$out/rt.log" | tail -45 >>"$S"
else echo "node from the previous call is gone (the machine was not kept): no bench.mjs row" >>"$S"; fi
G="--mib 1024 --reps 2 --only gdeflate --dest buffer"
for size in 64 1024 16384; do
  bm "vulkan path, GDeflate, mixed data, $size KiB" "$G --data mixed --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
done
for size in 1024 16384; do
  bm "d3d12 path, meta command, mixed data, staging 32, $size KiB" "$G --data mixed --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
  bm "same, no_upload_hvv" "$G --data mixed --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12 VKD3D_CONFIG=no_upload_hvv
  left 420 "texture rows" && bm "d3d12 path, meta command, texture data, staging 32, $size KiB" "$G --data texture --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
done
for size in 64 1024 16384; do
  left 480 "Wine's d3d12 $size" && bm "Wine's d3d12, $size KiB, buffer rows and baselines" "--mib 1024 --reps 2 --only plain --dest buffer --size $size" WINEDLLOVERRIDES="$W"
done
left 520 "vkd3d-proton 64 KiB rows" && bm "vkd3d-proton d3d12 path, 64 KiB" "--mib 1024 --reps 2 --only plain --dest buffer --size 64" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
left 540 "vulkan path 64 KiB" && bm "vkd3d-proton vulkan path, 64 KiB" "--mib 1024 --reps 2 --only plain --dest buffer --size 64" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
rm -f "$bin"/bench_module_*.bin "$bin"/vkd3d-proton.cache* 2>/dev/null
cat "$S"
exit 0
