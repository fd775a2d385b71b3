#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-session-16.sh (copied as .device-all/run16.sh): the 16 MiB rows alone, the GDeflate CPU-decode
# and Zstandard rows (the all-sizes runs of device-session.sh stop at their time limit first).
set -u
bin=$PWD/.device-all/bin; out=${OUT:-build/device-all}; mkdir -p "$out"
export WINEDLLPATH=$bin/module
P="d3d12,d3d12core=n;dstorage,dstoragecore=b"; W="dstorage,dstoragecore=b"
S=$out/summary16.log; : >"$S"
bm() { local label=$1 args=$2; shift 2; echo "== bench: $label: $args" >>"$S"; local t0=$SECONDS
  (cd "$bin" && env "$@" timeout ${BT:-80} wine64 bench_module.exe --dir . $args) >"$out/b.log" 2>&1
  echo "exit $? ($((SECONDS - t0)) s)" >>"$S"; grep -a -E "^\| [a-z]|checked" "$out/b.log" >>"$S"; }
bm "vkd3d-proton vulkan path, 16 MiB" "--mib 1024 --reps 2 --only plain --dest buffer --size 16384" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
bm "vkd3d-proton d3d12 path, 16 MiB, staging 256" "--mib 1024 --reps 2 --only plain --dest buffer --size 16384 --staging 256" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
bm "vkd3d-proton d3d12 path, 16 MiB" "--mib 1024 --reps 2 --only plain --dest buffer --size 16384" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
bm "vkd3d-proton d3d12 path, GDeflate CPU decode" "--mib 256 --reps 1 --only gdeflate --dest buffer" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12 DS_KIT_GDEFLATE_PATH=cpu
bm "vkd3d-proton default, zstd" "--mib 256 --reps 1 --only gdeflate --format zstd --dest buffer" WINEDLLOVERRIDES="$P"
rm -f "$bin"/bench_module_*.bin "$bin"/vkd3d-proton.cache* 2>/dev/null
cat "$S"
