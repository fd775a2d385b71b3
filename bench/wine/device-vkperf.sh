#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-vkperf.sh (copied as .device-vkperf/run.sh): GPU path vulkan against GPU path d3d12 under vkd3d-proton (issue 11),
# with the runtime alone (vulkan_throughput_test, its own device) as the ceiling, in one call.
# Run from the repository root:
#   bash .device-wine/wine-on-gpu.sh .device-wine -- bash .device-vkperf/run.sh
# bin/: dstorage.dll + dstorage.so (module of s4-vkperf), bench_module.exe, vkd3d-proton's d3d12.dll +
# d3d12core.dll, vulkan_throughput_test. Writes $OUT/summary.log and one log per run (else
# build/device-vkperf/). Only the dstorage -> GPU buffer rows (--dest buffer); about 3-4 minutes.
# PLAIN_MIB (1024) and GD_MIB (256) size the rows (small values for a lavapipe rehearsal).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/bin
out=${OUT:-build/device-vkperf}; mkdir -p "$out"
summary=$out/summary.log; : >"$summary"
export WINEDLLPATH=$bin
export WINEDLLOVERRIDES="d3d12,d3d12core=n;dstorage,dstoragecore=b"
s() { echo "$*" | tee -a "$summary"; }
bench() { # name, timeout, env..., -- args...
  local name=$1 limit=$2; shift 2
  local envs=(); while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  s "== $name: ${envs[*]} bench_module.exe $*"
  local t0=$(date +%s)
  (cd "$bin" && env "${envs[@]}" timeout "$limit" wine64 bench_module.exe --dir . "$@") >"$out/$name.log" 2>&1
  local rc=$?
  s "exit $rc after $(( $(date +%s) - t0 )) s"
  grep -E "^\| dstorage|bytes checked|FAIL|Vulkan backend: [1-9]|under LockVulkanQueue [1-9]|GPU path: vulkan [(]" "$out/$name.log" | cut -c1-400 | tee -a "$summary"
}

s "== $(date -u +%FT%TZ) device-vkperf"
env -u LD_LIBRARY_PATH nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1 | tee -a "$summary"
s "$(wine64 --version 2>&1)"; [ -f "$here/VERSIONS" ] && tee -a "$summary" <"$here/VERSIONS"

s "== ceiling: the runtime alone (vulkan_throughput_test, DS_BENCH_MIB=${PLAIN_MIB:-1024})"
(cd "$bin" && DS_BENCH_MIB=${PLAIN_MIB:-1024} timeout 60 ./vulkan_throughput_test) >"$out/throughput.log" 2>&1
s "exit $?"; grep -E "ceiling|backend|submits" "$out/throughput.log" | tee -a "$summary"

# Plain reads, 1 GiB per row, file order destinations; best of 2.
bench plain-vulkan 75 DS_KIT_GPU_PATH=vulkan WINEDEBUG=-all -- --mib ${PLAIN_MIB:-1024} --reps 2 --only plain --dest buffer
bench plain-d3d12 75 DS_KIT_GPU_PATH=d3d12 WINEDEBUG=-all -- --mib ${PLAIN_MIB:-1024} --reps 2 --only plain --dest buffer
# The ring the vulkan path had before (the DirectStorage staging size, 32 MiB) and the runtime's own 256 MiB.
bench plain-vulkan-ring32 75 DS_KIT_GPU_PATH=vulkan DS_KIT_VULKAN_RING_MIB=32 WINEDEBUG=-all -- --mib ${PLAIN_MIB:-1024} --reps 2 --only plain --dest buffer
bench plain-vulkan-ring256 75 DS_KIT_GPU_PATH=vulkan DS_KIT_VULKAN_RING_MIB=256 WINEDEBUG=-all -- --mib ${PLAIN_MIB:-1024} --reps 2 --only plain --dest buffer
# Submissions, lock rounds and the time spent waiting for the queue lock (64 KiB rows, traced: slower).
bench trace-vulkan-64k 60 DS_KIT_GPU_PATH=vulkan WINEDEBUG=+dstorage -- --mib 256 --reps 1 --only plain --dest buffer --size 64
# GDeflate into buffers, 256 MiB per row; best of 2 (the first repetition of each row pays the
# shader's pipeline compile on a fresh queue).
bench gdeflate-vulkan 80 DS_KIT_GPU_PATH=vulkan WINEDEBUG=-all -- --mib ${GD_MIB:-256} --reps 2 --only gdeflate --dest buffer
bench gdeflate-d3d12 80 DS_KIT_GPU_PATH=d3d12 WINEDEBUG=-all -- --mib ${GD_MIB:-256} --reps 2 --only gdeflate --dest buffer
rm -f "$bin"/vkd3d-proton.cache* "$bin"/bench_module_*.bin 2>/dev/null
exit 0
