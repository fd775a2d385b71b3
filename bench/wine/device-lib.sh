#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-lib.sh (copied as .device-all/lib.sh): what the device-session scripts share, sourced after
# they set S (their summary log): the folders, the DLL overrides, the machine's header lines, and
# t, which runs every test program in .device-all/bin and writes PASS/FAIL lines.
bin=$PWD/.device-all/bin
out=${OUT:-build/device-all}; mkdir -p "$out"
export WINEDLLPATH=$bin/module
P="d3d12,d3d12core=n;dstorage,dstoragecore=b"
W="dstorage,dstoragecore=b"
S=$out/$SUMMARY; : >"$S"
{ date -u; env -u LD_LIBRARY_PATH nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; wine64 --version; cat "$bin/COMMIT"; } >>"$S" 2>&1
t() { # t LABEL [ENV...]: every test program
  local label=$1; shift
  echo "== tests: $label" >>"$S"
  for p in "$bin"/*.exe; do
    n=$(basename "$p" .exe); [ $n = bench_module ] && continue
    (cd "$bin" && env "$@" WINEDEBUG=+dstorage timeout ${TT:-60} wine64 $n.exe) >"$out/t.log" 2>&1
    rc=$?
    path=$(grep -a -o "GPU path: [a-z0-9]*" "$out/t.log" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
    if [ $rc = 0 ] && grep -aq "$n: all checks passed" "$out/t.log"; then echo "PASS $n [$path]" >>"$S"
    else echo "FAIL $n exit $rc [$path]" >>"$S"; grep -a -E "FAIL|err:|expected" "$out/t.log" | head -8 | cut -c1-300 >>"$S"
      tail -c 300000 "$out/t.log" >"$out/fail-$label-$n.log"; fi
    grep -a -E "tiles:|decoded on the|GDeflate into buffers on the" "$out/t.log" | grep -a -o -E "tiles:.*|decoded on the [^\r]*|GDeflate into buffers on the [^;]*" | sort -u | head -3 >>"$S"
  done
}
