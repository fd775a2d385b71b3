#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-interop.sh: GPU path "vulkan" (ds-runtime's Vulkan backend on vkd3d-proton's own device)
# on a GPU machine, inside ../shared/gpu/wine-on-gpu.sh (wine64 on PATH, Xvfb, a fresh prefix).
# Copied as .device-interop/run.sh; run from the repository root:
#   bash .device-wine/wine-on-gpu.sh .device-wine -- bash .device-interop/run.sh
# Needs in .device-interop/bin: dstorage.dll + dstorage.so (the module), the test/wine programs
# (*.exe), bench_module.exe, vkd3d-proton's d3d12.dll + d3d12core.dll; optionally
# vulkan_throughput_test (the runtime alone on its own device: the ceiling, same call).
# Writes $OUT/summary.log (what passed, the GPU path lines, the benchmark table), $OUT/tests/*.log
# (each program with WINEDEBUG=+dstorage), $OUT/bench.log (vulkan path), $OUT/bench-256.log (the
# same, 256 MiB staging), $OUT/bench-d3d12.log (the
# d3d12 path, same sizes) and $OUT/throughput.log (else build/device-interop/).
# BENCH (default "--mib 1024 --reps 2 --only plain") sizes the module benchmark.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/bin
out=${OUT:-build/device-interop}; mkdir -p "$out/tests"
summary=$out/summary.log; : >"$summary"
export WINEDLLPATH=$bin
export WINEDLLOVERRIDES="d3d12,d3d12core=n;dstorage,dstoragecore=b"
export DS_KIT_GPU_PATH=vulkan
s() { echo "$*" | tee -a "$summary"; }

s "== $(date -u +%FT%TZ) device-interop"
env -u LD_LIBRARY_PATH nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1 | tee -a "$summary"
s "$(wine64 --version 2>&1)"
[ -f "$here/VERSIONS" ] && tee -a "$summary" <"$here/VERSIONS"

s "== test/wine programs, DS_KIT_GPU_PATH=vulkan, vkd3d-proton"
for p in "$bin"/*.exe; do
  n=$(basename "$p" .exe)
  case $n in bench_module) continue;; esac
  (cd "$bin" && WINEDEBUG=+dstorage timeout ${TEST_TIMEOUT:-90} wine64 "$n.exe") >"$out/tests/$n.log" 2>&1
  rc=$?
  paths=$(grep -o "GPU path: [a-z0-9]*" "$out/tests/$n.log" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
  locks=$(grep -c "locked for a runtime submission" "$out/tests/$n.log")
  if [ $rc = 0 ] && grep -q "$n: all checks passed" "$out/tests/$n.log"; then r=PASS; else r="FAIL (exit $rc)"; fi
  s "$r $n [$paths locked submissions: $locks]"
  grep -m3 -E "FAIL|err:" "$out/tests/$n.log" | cut -c1-300 | tee -a "$summary"
done
grep -h -m1 "GPU path: vulkan (" "$out"/tests/*.log | head -1 | cut -c1-600 | tee -a "$summary"
# The trace logs are large; keep the tails of passing ones only.
for f in "$out"/tests/*.log; do
  if grep -q "all checks passed" "$f"; then tail -c 20000 "$f" >"$f.tail" && mv "$f.tail" "$f"; else tail -c 400000 "$f" >"$f.tail" && mv "$f.tail" "$f"; fi
done

s "== bench_module.exe ${BENCH:---mib 1024 --reps 2 --only plain}, DS_KIT_GPU_PATH=vulkan, default VKD3D_CONFIG"
(cd "$bin" && timeout ${BENCH_TIMEOUT:-150} wine64 bench_module.exe --dir . ${BENCH:---mib 1024 --reps 2 --only plain}) >"$out/bench.log" 2>&1
s "exit $?"
grep -E "^\||bytes checked|GPU path" "$out/bench.log" | tee -a "$summary"

s "== the same with --staging 256 (the runtime's staging ring follows the DirectStorage staging size)"
(cd "$bin" && timeout ${BENCH_TIMEOUT:-150} wine64 bench_module.exe --dir . ${BENCH:---mib 1024 --reps 2 --only plain} --staging 256) >"$out/bench-256.log" 2>&1
s "exit $?"
grep -E "^\||bytes checked" "$out/bench-256.log" | tee -a "$summary"

s "== the same with DS_KIT_GPU_PATH=d3d12 (the batched D3D12 path), for comparison"
(cd "$bin" && DS_KIT_GPU_PATH=d3d12 timeout ${BENCH_TIMEOUT:-150} wine64 bench_module.exe --dir . ${BENCH:---mib 1024 --reps 2 --only plain}) >"$out/bench-d3d12.log" 2>&1
s "exit $?"
grep -E "^\||bytes checked" "$out/bench-d3d12.log" | tee -a "$summary"

if [ -x "$bin/vulkan_throughput_test" ]; then
  s "== ceiling: the runtime alone (vulkan_throughput_test, DS_BENCH_MIB=1024), same call"
  (cd "$bin" && DS_BENCH_MIB=1024 timeout 120 ./vulkan_throughput_test) >"$out/throughput.log" 2>&1
  s "exit $?"
  tail -40 "$out/throughput.log" | tee -a "$summary"
fi
rm -f "$bin"/vkd3d-proton.cache* 2>/dev/null
exit 0
