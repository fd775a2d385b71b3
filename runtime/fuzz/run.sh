#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds one libFuzzer target with clang (libFuzzer + ASan + UBSan) and runs it for a bounded
# time, starting from the corpus persisted in the repository. Needs clang++ with libFuzzer
# (Debian: clang-14 + libclang-rt-14-dev; Arch: clang + compiler-rt); CXX overrides the choice.
#
#   runtime/fuzz/run.sh <target> <seconds> [build dir, default build/fuzz] [extra libFuzzer args...]
#
# Targets: gdeflate_decode (the GDeflate decoder), zstd_request (the Zstandard request path over
# libzstd: needs libzstd-dev / zstd), queue_c_abi (request validation and the queue, through
# ds_runtime.h).
#
# Corpus: runtime/fuzz/corpus/<target>/ (in git) is read; what the run finds goes to
# <build dir>/corpus/<target>/; after a clean run every input that adds coverage is merged
# (libFuzzer -merge=1) back into runtime/fuzz/corpus/<target>/, to be committed. When the
# persisted corpus grows past DS_KIT_FUZZ_CORPUS_MAX files (default 500) it is minimised afresh.
# DS_KIT_FUZZ_UPDATE_CORPUS=0 leaves the persisted corpus untouched. Crashes land in
# <build dir>/crashes/<target>/.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 <gdeflate_decode|zstd_request|queue_c_abi> <seconds> [build dir] [libFuzzer args...]" >&2; exit 2; }
target=$1
secs=$2
shift 2
out=build/fuzz
if [ $# -ge 1 ]; then out=$1; shift; fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# Debian names the compiler by version (clang-14); Arch ships plain clang++.
if [ -n "${CXX:-}" ]; then cxx=$CXX; elif command -v clang++-14 >/dev/null 2>&1; then cxx=clang++-14; else cxx=clang++; fi
flags="-std=c++20 -O1 -g -fno-omit-frame-pointer -I$root/include -I$root/src -DDS_RUNTIME_BUILDING=1"
sanitize="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
# The codec alone: every src/gdeflate file but the request glue (host_request.cpp needs file I/O).
codec=$(ls "$root"/src/gdeflate/*.cpp | grep -v '/host_request\.cpp$')
libs=-lpthread
extra=
# Zstandard: the request glue and codec over the system's libzstd, or the stand-in without it.
if [ -f /usr/include/zstd.h ]; then
    zstd_sources="$(ls "$root"/src/zstd/*.cpp)"
    zstd_flags="-DDS_HAVE_ZSTD=1"
    zstd_libs="-lzstd"
else
    zstd_sources="$root/src/unavailable/zstd_unavailable.cpp"
    zstd_flags=
    zstd_libs=
fi

case $target in
gdeflate_decode)
    sources="$here/gdeflate_decode_fuzz.cpp $codec"
    max_len=65536
    ;;
zstd_request)
    [ -f /usr/include/zstd.h ] || { echo "$0: zstd_request needs zstd.h: install libzstd-dev (Debian) or zstd (Arch)" >&2; exit 2; }
    # The request glue reads files through src/cpu/file_io.cpp and checks application memory.
    sources="$here/zstd_request_fuzz.cpp $zstd_sources $root/src/cpu/file_io.cpp $root/src/cpu/app_memory.cpp"
    flags="$flags $zstd_flags"
    libs="$libs $zstd_libs"
    max_len=70000
    ;;
queue_c_abi)
    # The whole runtime but Vulkan: CPU backend, and io_uring where liburing is installed.
    sources="$here/queue_c_abi_fuzz.cpp $(ls "$root"/src/*.cpp "$root"/src/cpu/*.cpp "$root"/src/gdeflate/*.cpp "$root"/src/gacl/*.cpp)"
    sources="$sources $root/src/unavailable/vulkan_unavailable.cpp $zstd_sources"
    flags="$flags $zstd_flags"
    libs="$libs $zstd_libs"
    if [ -f /usr/include/liburing.h ]; then
        sources="$sources $(ls "$root"/src/io_uring/*.cpp)"
        flags="$flags -DDS_HAVE_IO_URING=1"
        libs="$libs -luring"
    else
        sources="$sources $root/src/unavailable/io_uring_unavailable.cpp"
    fi
    max_len=1024
    # Inputs are scripts: long ones from the start, or the runs stay a handful of operations deep.
    extra="-len_control=0"
    ;;
*)
    echo "$0: unknown target '$target': use gdeflate_decode, zstd_request or queue_c_abi" >&2
    exit 2
    ;;
esac

bin=$out/${target}_fuzz
corpus=$out/corpus/$target
persisted=$here/corpus/$target
crashes=$out/crashes/$target
mkdir -p "$corpus" "$crashes" "$persisted"

# Rebuild only when a source or this script is newer than the binary.
# shellcheck disable=SC2086
if [ ! -x "$bin" ] || [ -n "$(find $sources "$0" "$root/include" "$root/src" -newer "$bin" | head -1)" ]; then
    echo "building $bin"
    # shellcheck disable=SC2086
    $cxx $flags $sanitize $sources -o "$bin" $libs
fi

# A fresh checkout without a persisted corpus: start the decoder from valid streams of every kind.
if [ "$target" = gdeflate_decode ] && [ -z "$(ls -A "$persisted")" ]; then
    # shellcheck disable=SC2086
    $cxx $flags "$here/gdeflate_seed.cpp" $codec -o "$out/gdeflate_seed" -lpthread
    "$out/gdeflate_seed" "$persisted"
fi
if [ "$target" = zstd_request ] && [ -z "$(ls -A "$persisted")" ]; then
    # shellcheck disable=SC2086
    $cxx $flags "$here/zstd_seed.cpp" $zstd_sources $root/src/cpu/file_io.cpp $root/src/cpu/app_memory.cpp -o "$out/zstd_seed" $libs
    "$out/zstd_seed" "$persisted"
fi

common="-timeout=20 -rss_limit_mb=2048 -max_len=$max_len"
# shellcheck disable=SC2086
"$bin" -max_total_time="$secs" $common $extra -artifact_prefix="$crashes/" -print_final_stats=1 "$@" "$corpus" "$persisted"

# The persisted corpus keeps one input per covered edge (-use_counters=0: hit counts do not count),
# which keeps it to a few hundred files; the build corpus keeps everything the run found.
if [ "${DS_KIT_FUZZ_UPDATE_CORPUS:-1}" != 0 ]; then
    common="$common -use_counters=0"
    before=$(ls "$persisted" | wc -l)
    # shellcheck disable=SC2086
    "$bin" -merge=1 $common "$persisted" "$corpus" >"$out/merge-$target.log" 2>&1 ||
        { cat "$out/merge-$target.log" >&2; exit 1; }
    limit=${DS_KIT_FUZZ_CORPUS_MAX:-500}
    if [ "$(ls "$persisted" | wc -l)" -gt "$limit" ]; then
        fresh=$out/corpus-minimised-$target
        rm -rf "$fresh"
        mkdir -p "$fresh"
        # shellcheck disable=SC2086
        "$bin" -merge=1 $common "$fresh" "$persisted" >>"$out/merge-$target.log" 2>&1 ||
            { cat "$out/merge-$target.log" >&2; exit 1; }
        rm -f "$persisted"/*
        cp "$fresh"/* "$persisted"/
    fi
    after=$(ls "$persisted" | wc -l)
    echo "corpus $persisted: $before -> $after inputs (commit new ones with git add runtime/fuzz/corpus)"
fi
