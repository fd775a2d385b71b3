#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the GDeflate decoder fuzzer with clang's libFuzzer + ASan + UBSan and runs it for a
# bounded time. Needs clang++ with libFuzzer (Debian: clang-14 + libclang-rt-14-dev; Arch: clang +
# compiler-rt); CXX overrides the choice.
#
#   runtime/fuzz/run.sh <seconds> [build dir, default build/fuzz] [extra libFuzzer args...]
#
# The corpus lives in <build dir>/corpus (seeded on first run); crashes land in <build dir>/crashes.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 <seconds> [build dir] [libFuzzer args...]" >&2; exit 2; }
secs=$1
shift
out=build/fuzz
if [ $# -ge 1 ]; then out=$1; shift; fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# Debian names the compiler by version (clang-14); Arch ships plain clang++.
if [ -n "${CXX:-}" ]; then cxx=$CXX; elif command -v clang++-14 >/dev/null 2>&1; then cxx=clang++-14; else cxx=clang++; fi
flags="-std=c++20 -O1 -g -fno-omit-frame-pointer -I$root/include -I$root/src"
mkdir -p "$out/corpus" "$out/crashes"
# The codec alone: every src/gdeflate file but the request glue (host_request.cpp needs file I/O).
codec=$(ls "$root"/src/gdeflate/*.cpp | grep -v '/host_request\.cpp$')
# shellcheck disable=SC2086
$cxx $flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    "$here/gdeflate_decode_fuzz.cpp" $codec -o "$out/gdeflate_decode_fuzz" -lpthread
if [ -z "$(ls -A "$out/corpus")" ]; then
    # shellcheck disable=SC2086
    $cxx $flags "$here/gdeflate_seed.cpp" $codec -o "$out/gdeflate_seed" -lpthread
    "$out/gdeflate_seed" "$out/corpus"
fi
exec "$out/gdeflate_decode_fuzz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=200000 \
    -artifact_prefix="$out/crashes/" -print_final_stats=1 "$@" "$out/corpus"
