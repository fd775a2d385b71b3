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
cpu_by_thread() { # cpu_by_thread PATTERN FILE: run in the background beside a program; every 0.2 s it
  # keeps in FILE the CPU time of each thread of the process whose command line matches PATTERN
  # (the one with the most threads), until that process has been seen and is gone.
  local pat=$1 file=$2 seen=0 pid best n
  while :; do
    best=; n=0
    for pid in $(pgrep -f "$pat"); do
      local c; c=$(ls /proc/$pid/task 2>/dev/null | wc -l)
      [ "$c" -gt "$n" ] && { n=$c; best=$pid; }
    done
    if [ -n "$best" ]; then
      seen=1
      for t in /proc/$best/task/*; do
        local s; s=$(cat $t/stat 2>/dev/null) || continue
        local comm=${s#*(}; comm=${comm%)*}; local rest=${s##*) }
        set -- $rest
        echo "${t##*/} ${comm// /_} $((${12} + ${13}))"
      done >"$file.new" && [ -s "$file.new" ] && mv "$file.new" "$file"
    elif [ $seen = 1 ]; then break; fi
    sleep 0.2
  done
}
cpu_summary() { # cpu_summary FILE: CPU seconds by thread name, then the busiest threads
  local hz; hz=$(getconf CLK_TCK)
  [ -s "$1" ] || { echo "  (no thread sample)"; return; }
  echo "  CPU seconds by thread name (threads):"
  awk -v hz=$hz '{s[$2]+=$3; c[$2]++; t+=$3} END {for (k in s) printf "    %-18s %7.2f (%d)\n", k, s[k]/hz, c[k]; printf "    %-18s %7.2f\n", "all", t/hz}' "$1" | sort -k2 -n -r
  echo "  busiest threads (tid name s):"
  sort -k3 -n -r "$1" | head -8 | awk -v hz=$hz '{printf "    %s %s %.2f\n", $1, $2, $3/hz}'
}
