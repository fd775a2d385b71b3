#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-run.sh: the runtime's benchmark (`npm run bench`'s code, bundled) and its test programs
# on a GPU machine without Node.js, from the payload make-device-payload.sh puts in .device-perf.
# Run from the repository root (as root: it may unpack the Vulkan loader into /):
#   bash .device-perf/run.sh
# Writes $OUT/bench.log, $OUT/bench.json and $OUT/tests.log (OUT unset: build/device-perf).
# BENCH_ARGS adds benchmark options (e.g. "--bytes 4G"); RUN_TESTS=0 skips the test programs;
# TESTS picks some by a glob of their names (e.g. TESTS='*gdeflate*'; default: all).
# Takes about 3-5 minutes on the H200 machine (tests 1-2, benchmark 2-3).
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-build/device-perf}
mkdir -p "$out"
work=${TMPDIR:-/tmp}/ds-perf
mkdir -p "$work"
say() { echo "== $*" | tee -a "$out/bench.log"; }
: >"$out/bench.log"

# The Vulkan loader: the machine may have none.
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
if ! $LDCONFIG -p 2>/dev/null | grep -q 'libvulkan\.so\.1 ' || ! $LDCONFIG -p 2>/dev/null | grep -q 'libGLdispatch\.so\.0 '; then
  say "no Vulkan loader: unpacking $here/gl/*.deb into /"
  for f in "$here"/gl/*.deb; do dpkg -x "$f" /; done
  $LDCONFIG
fi
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  for f in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
    /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
    [ -f "$f" ] && { export VK_DRIVER_FILES=$f; break; }
  done
fi
# Libraries the machine may lack (libzstd): from the payload, after the machine's own.
for f in "$here"/lib/*.so*; do
  [ -e "$f" ] || continue
  $LDCONFIG -p 2>/dev/null | grep -q "$(basename "$f") " ||
    export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$here/lib
done
say "Vulkan driver: ${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-the loader search path}}; payload $(cat "$here/COMMIT" 2>/dev/null)"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >>"$out/bench.log" 2>&1
nproc >>"$out/bench.log"

# Node: carried compressed (xz, or Python's lzma where xz is missing).
node=$work/node
if [ ! -x "$node" ]; then
  if command -v xz >/dev/null; then
    xz -dc "$here/node.xz" >"$node"
  else
    python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' \
      "$here/node.xz" "$node"
  fi
  chmod +x "$node"
fi
say "node $("$node" --version)"

if [ "${RUN_TESTS:-1}" != 0 ]; then
  : >"$out/tests.log"
  mkdir -p "$work/tests"
  tar -xJf "$here/tests.tar.xz" -C "$work/tests"
  failed=0
  for t in "$work"/tests/${TESTS:-*_test}; do
    echo "== $(basename "$t")" >>"$out/tests.log"
    limit=120
    case $t in *_large_test) limit=300 ;; esac  # gigabytes of data: a minute on 2 idle cores
    (cd "$work" && DS_REQUIRE_VULKAN=1 timeout $limit "$t") >>"$out/tests.log" 2>&1
    rc=$?
    echo "exit $rc" >>"$out/tests.log"
    [ $rc = 0 ] || { failed=$((failed + 1)); say "test $(basename "$t"): exit $rc"; }
  done
  say "test programs: $failed failed (details in tests.log)"
fi

# The data file on the repository's disk (not tmpfs), so that the cold-cache (O_DIRECT) rows run.
mkdir -p build/perf-bench
say "bench: node bench.mjs --file build/perf-bench/data.bin ${BENCH_ARGS:-}"
DS_RUNTIME_ADDON=$here/ds_runtime.node timeout 300 "$node" "$here/bench.mjs" --file build/perf-bench/data.bin \
  --json "$out/bench.json" ${BENCH_ARGS:-} >>"$out/bench.log" 2>&1
say "bench exit $?"
