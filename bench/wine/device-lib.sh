#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-lib.sh (copied as .device-all/lib.sh): what the device-session scripts share, sourced after
# they set SUMMARY (their summary log's name): the folders, the DLL overrides, the machine's header
# lines; t, which runs every test program in .device-all/bin and writes PASS/FAIL lines; bm, one
# bench_module run (BM_FLAGS: arguments every run of a script adds); runtime_bench, npm run bench's
# code on the runtime alone; left, which skips a step once the call has run too long.
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
bm() { # bm LABEL ARGS [ENV...]: one bench_module run, its rows and the queue counters
  local label=$1 args=$2; shift 2
  echo "== bench: $label: $args" >>"$S"; local t0=$SECONDS
  (cd "$bin" && env DS_KIT_STATS=1 "$@" timeout ${BT:-90} wine64 bench_module.exe --dir . ${BM_FLAGS:-} $args) >"$out/b.log" 2>&1
  echo "exit $? ($((SECONDS - t0)) s)" >>"$S"
  grep -a -E "^\| [a-z]|its threads|checked|FAIL" "$out/b.log" | cut -c1-400 >>"$S"
  grep -a "ds-kit stats: queue" "$out/b.log" | grep -v " 0 requests" | sed 's/.*: \([0-9]* requests\)/  \1/' | cut -c1-240 >>"$S"
  grep -a -E "Vulkan backend: [0-9]+ submissions|lock rounds" "$out/b.log" | head -4 | cut -c1-240 >>"$S"
}
runtime_bench() { # runtime_bench SECONDS [BACKENDS]: npm run bench's GPU rows (bench.mjs) into $out/rt.log; FALSE without node
  if [ ! -x /tmp/ds-perf/node ]; then
    echo "node from the previous call is gone (the machine was not kept): no bench.mjs row" >>"$S"; return 1
  fi
  (env -u LD_LIBRARY_PATH DS_RUNTIME_ADDON=$PWD/.device-rt/ds_runtime.node LD_LIBRARY_PATH=$PWD/.device-rt/lib timeout "$1" \
    /tmp/ds-perf/node .device-rt/bench.mjs --file build/perf-bench/data.bin --backends "${2:-vulkan-gpu-seq}" \
    --cold-bytes 0 --bytes 4G) >"$out/rt.log" 2>&1
  echo "exit $?" >>"$S"
}
T0=$SECONDS
left() { [ $((SECONDS - T0)) -lt ${1} ] || { echo "== skipped (time): $2" >>"$S"; return 1; }; }
