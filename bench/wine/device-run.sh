#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-run.sh: the module's measurements and test programs on a GPU machine, inside
# ../shared/gpu/wine-on-gpu.sh (wine64 on PATH, Xvfb, a fresh prefix). Run from the repository root:
#   WINEDLLPATH=$PWD/build/wine-module bash .device-wine/wine-on-gpu.sh .device-wine -- bash bench/wine/device-run.sh
# Needs in .device-wine/bin: bench_module.exe, the test/wine programs (*.exe), dstorage.dll, and for
# the vkd3d-proton rows d3d12.dll + d3d12core.dll (../shared/vkd3d-proton/build.sh). Writes
# $OUT/bench.log and $OUT/tests.log when OUT is set (else build/device-run/).
# BENCH_PLAIN (default "--mib 1024 --reps 2") and BENCH_GDEFLATE ("--mib 256 --reps 1") size the runs.
set -u
out=${OUT:-build/device-run}; mkdir -p "$out"
bin=.device-wine/bin
bench=$out/bench.log; tests=$out/tests.log
: >"$bench"; : >"$tests"
wined3d12="d3d12,d3d12core=b;dstorage,dstoragecore=b"
proton="d3d12,d3d12core=n;dstorage,dstoragecore=b"
have_proton=0; [ -f $bin/d3d12.dll ] && [ -f $bin/d3d12core.dll ] && have_proton=1

note() { echo "== $*" | tee -a "$bench"; }
b() { # b LABEL OVERRIDES [ENV=VALUE...] -- ARGS
  local label=$1 ov=$2; shift 2; local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  note "$label: $(printf '%s ' "${envs[@]}")bench_module.exe $*"
  (cd $bin && env "${envs[@]}" WINEDLLOVERRIDES="$ov" timeout ${BENCH_TIMEOUT:-120} wine64 bench_module.exe --dir . "$@") >>"$bench" 2>&1
  echo "exit $?" >>"$bench"
}

nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >>"$bench" 2>&1
wine64 --version >>"$bench" 2>&1
[ $have_proton = 1 ] && cat .device-wine/vkd3d-proton-VERSION >>"$bench" 2>/dev/null
# Which GPU path each queue takes (first lines only).
(cd $bin && WINEDEBUG=+dstorage WINEDLLOVERRIDES="$wined3d12" timeout 120 wine64 gpu_destinations.exe 2>&1 | grep -m1 "GPU path") >>"$bench"
[ $have_proton = 1 ] && (cd $bin && WINEDEBUG=+dstorage WINEDLLOVERRIDES="$proton" timeout 120 wine64 gpu_destinations.exe 2>&1 | grep -m1 "GPU path") >>"$bench"

plain=${BENCH_PLAIN:---mib 1024 --reps 2}; gd=${BENCH_GDEFLATE:---mib 256 --reps 1}
if [ $have_proton = 1 ]; then
  b "vkd3d-proton default" "$proton" -- $plain --only plain
  b "vkd3d-proton default" "$proton" -- $gd --only gdeflate
  b "vkd3d-proton no_upload_hvv" "$proton" VKD3D_CONFIG=no_upload_hvv -- $plain --only plain
  b "vkd3d-proton no_upload_hvv" "$proton" VKD3D_CONFIG=no_upload_hvv -- $gd --only gdeflate
  b "vkd3d-proton default, staging 256 MiB" "$proton" -- $plain --staging 256 --only plain
  b "vkd3d-proton default, staging in an UPLOAD heap (the old placement)" "$proton" DS_KIT_STAGING_HEAP=upload -- --mib 32 --reps 1 --only gdeflate
fi
b "Wine d3d12" "$wined3d12" -- $plain --only plain
b "Wine d3d12, staging 256 MiB" "$wined3d12" -- $plain --staging 256 --only plain
b "Wine d3d12" "$wined3d12" -- $gd --only gdeflate

t() { # t LABEL OVERRIDES
  local label=$1 ov=$2 p
  for p in $bin/*.exe; do
    case $(basename $p) in bench_module.exe) continue;; esac
    echo "== $label: $(basename $p)" >>"$tests"
    (cd $bin && WINEDLLOVERRIDES="$ov" timeout ${TEST_TIMEOUT:-120} wine64 $(basename $p)) >>"$tests" 2>&1
    echo "exit $?" >>"$tests"
  done
}
[ $have_proton = 1 ] && t "vkd3d-proton" "$proton"
[ "${TESTS_WINE_D3D12:-1}" = 1 ] && t "Wine d3d12" "$wined3d12"
grep -E "^== |all checks passed|check\(s\) failed|^exit [^0]" "$tests"
exit 0
