#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-gdeflate.sh: GDeflate decoded on the GPU through vkd3d-proton's DirectStorage GDeflate meta
# command, on a GPU machine, inside ../shared/gpu/wine-on-gpu.sh (wine64 on PATH, Xvfb, a fresh
# prefix). Runs every test/wine program under vkd3d-proton (default settings), gdeflate.exe with
# DS_KIT_GPU_PATH=d3d12 DS_KIT_GDEFLATE_PATH=gpu (it must take the meta command) and the GDeflate
# rows of bench_module.exe on GPU path d3d12 with the meta command (default and
# VKD3D_CONFIG=no_upload_hvv), with the CPU decode (for the ratio) and on the module's default path
# (vulkan for buffers), and plain copies with and without the meta command set up beside them
# (PLAIN_MIB, default 256). From the repository root:
#   bash .device-wine/wine-on-gpu.sh .device-wine -- bash .device-metacmd/run.sh
# DIR (default .device-metacmd) holds: module/dstorage.{dll,so}; bin/*.exe (the test/wine programs,
# bench_module.exe), bin/dstorage.dll, bin/d3d12.dll + bin/d3d12core.dll (vkd3d-proton),
# vkd3d-proton-VERSION. Writes $OUT/paths.log, $OUT/tests.log, $OUT/bench.log (else build/device-gdeflate/).
# GDEFLATE_MIB (default 256) and GDEFLATE_REPS (default 2) size the bench rows; a program gets
# TEST_TIMEOUT s (default 60), a bench run BENCH_TIMEOUT s (default 100). About 4 minutes on the
# H200 (estimate), 13 MB to carry.
set -u
dir=${DIR:-.device-metacmd}
out=${OUT:-build/device-gdeflate}; mkdir -p "$out"
bin=$dir/bin
export WINEDLLPATH=$PWD/$dir/module
proton="d3d12,d3d12core=n;dstorage,dstoragecore=b"
paths=$out/paths.log; tests=$out/tests.log; bench=$out/bench.log
: >"$paths"; : >"$tests"; : >"$bench"

{
  date -u
  env -u LD_LIBRARY_PATH nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1
  wine64 --version 2>&1
  head -1 "$dir/vkd3d-proton-VERSION" 2>/dev/null
} | tee -a "$bench" >>"$paths"

# Which paths a queue takes, and that DS_KIT_GDEFLATE_PATH=gpu is honoured (the program fails if
# GetCompressionSupport does not say GPU_OPTIMIZED), with the decode counts.
(cd $bin && DS_KIT_GPU_PATH=d3d12 DS_KIT_GDEFLATE_PATH=gpu DS_KIT_STATS=1 WINEDEBUG=+dstorage \
  WINEDLLOVERRIDES="$proton" \
  timeout ${TEST_TIMEOUT:-60} wine64 gdeflate.exe 2>&1 |
  grep -a -E "GPU path|GDeflate path|streams decoded|not decoded|gdeflate:|ds-kit stats: process|FAIL") >>"$paths"
echo "exit ${PIPESTATUS[0]}" >>"$paths"

for p in $bin/*.exe; do
  name=$(basename $p)
  [ $name = bench_module.exe ] && continue
  echo "== vkd3d-proton: $name" >>"$tests"
  (cd $bin && WINEDLLOVERRIDES="$proton" timeout ${TEST_TIMEOUT:-60} wine64 $name) >>"$tests" 2>&1
  echo "exit $?" >>"$tests"
done

b() { # b LABEL ONLY [ENV=VALUE...]
  local label=$1 only=$2 size="--mib ${GDEFLATE_MIB:-256} --reps ${GDEFLATE_REPS:-2}"; shift 2
  [ $only = plain ] && size="--mib ${PLAIN_MIB:-256} --reps 2"
  echo "== $label: $* bench_module.exe $size --only $only" >>"$bench"
  (cd $bin && env "$@" WINEDLLOVERRIDES="$proton" timeout ${BENCH_TIMEOUT:-100} \
    wine64 bench_module.exe --dir . $size --only $only) >>"$bench" 2>&1
  echo "exit $?" >>"$bench"
}
# GPU path d3d12 (buffers too), GDeflate through the meta command; then the CPU decode for the ratio.
b "vkd3d-proton default, d3d12 path, meta command" gdeflate DS_KIT_GPU_PATH=d3d12 \
  DS_KIT_GDEFLATE_PATH=gpu
b "vkd3d-proton no_upload_hvv, d3d12 path, meta command" gdeflate DS_KIT_GPU_PATH=d3d12 \
  DS_KIT_GDEFLATE_PATH=gpu VKD3D_CONFIG=no_upload_hvv
b "vkd3d-proton default, d3d12 path, CPU decode (for the ratio)" gdeflate DS_KIT_GPU_PATH=d3d12 \
  DS_KIT_GDEFLATE_PATH=cpu
# The module's default under vkd3d-proton: buffers on GPU path vulkan (ds-runtime's shader).
b "vkd3d-proton default, default GPU path" gdeflate
# Plain copies on the d3d12 path with the GDeflate meta command set up beside them, and without.
b "vkd3d-proton default, d3d12 path, plain, GDeflate path gpu" plain DS_KIT_GPU_PATH=d3d12 \
  DS_KIT_GDEFLATE_PATH=gpu
b "vkd3d-proton default, d3d12 path, plain, GDeflate path cpu" plain DS_KIT_GPU_PATH=d3d12 \
  DS_KIT_GDEFLATE_PATH=cpu
rm -f $bin/bench_module_*.bin $bin/vkd3d-proton.cache* 2>/dev/null

grep -E "^== |all checks passed|check\(s\) failed|^exit [^0]" "$tests"
cat "$paths"
grep -E "^== |dstorage|^exit" "$bench"
exit 0
