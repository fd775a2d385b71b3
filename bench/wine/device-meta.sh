#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-meta.sh: GDeflate file -> GPU buffer through vkd3d-proton's DirectStorage GDeflate meta
# command (GPU path d3d12, DS_KIT_GDEFLATE_PATH=gpu), at 32 and 256 MiB of staging, against the CPU
# decode on the same path and data; on a GPU machine, inside ../shared/gpu/wine-on-gpu.sh (wine64 on
# PATH, Xvfb, a fresh prefix). From the repository root:
#   bash .device-wine/wine-on-gpu.sh .device-wine -- bash .device-meta5/run.sh
# DIR (default .device-meta5, filled by bench/wine/make-device-meta.sh) holds module/dstorage.{dll,so},
# bin/{bench_module,gdeflate,gpu_destinations}.exe, bin/dstorage.dll, bin/d3d12.dll +
# bin/d3d12core.dll (vkd3d-proton), vkd3d-proton-VERSION. Writes $OUT/meta.log (else
# build/device-meta/). MIB (default 256) and REPS (default 2) size the rows; each run has its own
# timeout (TEST_TIMEOUT, default 60 s; BENCH_TIMEOUT, default 60 s; the executions count 40 s),
# so it ends within 600 s whatever hangs. About 4 minutes on the H200
# (estimate).
set -u
dir=${DIR:-.device-meta5}
out=${OUT:-build/device-meta}; mkdir -p "$out"
bin=$dir/bin
export WINEDLLPATH=$PWD/$dir/module
proton="d3d12,d3d12core=n;dstorage,dstoragecore=b"
log=$out/meta.log
: >"$log"
note() { echo "== $*" >>"$log"; }

{
  date -u
  env -u LD_LIBRARY_PATH nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1
  wine64 --version 2>&1
  head -1 "$dir/vkd3d-proton-VERSION" 2>/dev/null
} >>"$log"

# The meta command path must be taken and pass its checks on this GPU (bytes, damaged containers).
for p in gdeflate gpu_destinations; do
  note "test: $p.exe, DS_KIT_GPU_PATH=d3d12 DS_KIT_GDEFLATE_PATH=gpu"
  (cd $bin && DS_KIT_GPU_PATH=d3d12 DS_KIT_GDEFLATE_PATH=gpu DS_KIT_STATS=1 WINEDEBUG=+dstorage \
    WINEDLLOVERRIDES="$proton" timeout ${TEST_TIMEOUT:-60} wine64 $p.exe 2>&1 |
    grep -a -E "GDeflate path|streams decoded|not decoded|$p:|ds-kit stats: process|FAIL") >>"$log"
  echo "exit ${PIPESTATUS[0]}" >>"$log"
done

b() { # b LABEL [ENV=VALUE...] -- ARGS
  local label=$1; shift; local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  note "$label: $(printf '%s ' "${envs[@]}")bench_module.exe $*"
  (cd $bin && env "${envs[@]}" WINEDLLOVERRIDES="$proton" timeout ${BENCH_TIMEOUT:-60} \
    wine64 bench_module.exe --dir . "$@") >>"$log" 2>&1
  echo "exit $?" >>"$log"
}
size="--mib ${MIB:-256} --reps ${REPS:-2} --only gdeflate --dest buffer"
meta="DS_KIT_GPU_PATH=d3d12 DS_KIT_GDEFLATE_PATH=gpu"
cpu="DS_KIT_GPU_PATH=d3d12 DS_KIT_GDEFLATE_PATH=cpu"
b "meta command, staging 32 MiB" $meta -- $size
b "meta command, staging 256 MiB" $meta -- $size --staging 256
b "meta command, staging 32 MiB, no_upload_hvv" $meta VKD3D_CONFIG=no_upload_hvv -- $size
# The uploads recorded into the decoding COMPUTE list (no overlap with the decode before): for the
# ratio against the COPY-queue uploads above.
b "meta command, uploads in the COMPUTE list, staging 32 MiB" $meta DS_KIT_GDEFLATE_UPLOAD=compute -- $size
b "meta command, uploads in the COMPUTE list, staging 256 MiB" $meta DS_KIT_GDEFLATE_UPLOAD=compute -- $size --staging 256
b "CPU decode, staging 32 MiB (for the ratio)" $cpu -- $size
b "CPU decode, staging 256 MiB (for the ratio)" $cpu -- $size --staging 256

# How many streams each execution decoded (1 MiB requests, EXEC_MIB (default 64) MiB, one rep): count, then the
# distribution "executions x streams".
note "executions at 1 MiB requests, staging 32 MiB (WINEDEBUG=+dstorage)"
(cd $bin && env $meta WINEDEBUG=+dstorage WINEDLLOVERRIDES="$proton" timeout 40 \
  wine64 bench_module.exe --dir . --mib ${EXEC_MIB:-64} --reps 1 --only gdeflate --dest buffer --size 1024 2>&1 |
  grep -a -o "[0-9]* GDeflate streams decoded on the GPU in one execution" | awk '{print $1}' |
  sort -n | uniq -c | awk '{printf "%s x %s streams; ", $1, $2} END {print ""}') >>"$log"
rm -f $bin/bench_module_*.bin $bin/vkd3d-proton.cache* 2>/dev/null

# The log keeps everything; stdout only what matters (no vkd3d-proton info/fixme lines).
grep -a -v -E ':(info|fixme):|^[0-9a-f]{4}:fixme' "$log"
exit 0
