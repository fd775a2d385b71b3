#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the GDeflate decoder fuzzer with clang's libFuzzer + ASan + UBSan and runs it for a
# bounded time. Needs clang++-14 (or CXX=clang++) and libclang-rt-14-dev.
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
cxx=${CXX:-clang++-14}
flags="-std=c++20 -O1 -g -fno-omit-frame-pointer -I$root/include -I$root/src"
mkdir -p "$out/corpus" "$out/crashes"
$cxx $flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    "$here/gdeflate_decode_fuzz.cpp" "$root"/src/gdeflate/*.cpp -o "$out/gdeflate_decode_fuzz" -lpthread
if [ -z "$(ls -A "$out/corpus")" ]; then
    $cxx $flags "$here/gdeflate_seed.cpp" "$root"/src/gdeflate/*.cpp -o "$out/gdeflate_seed" -lpthread
    "$out/gdeflate_seed" "$out/corpus"
fi
exec "$out/gdeflate_decode_fuzz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=200000 \
    -artifact_prefix="$out/crashes/" -print_final_stats=1 "$@" "$out/corpus"
