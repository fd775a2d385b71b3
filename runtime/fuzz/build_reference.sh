#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the reference GDeflate codec wrapper (reference_cli.cpp) OUTSIDE the repository, for the
# cross-check test. Nothing of the reference enters the repository or our libraries.
#
#   runtime/fuzz/build_reference.sh <DirectStorage checkout> <NVIDIA libdeflate checkout> <out dir>
#   DS_GDEFLATE_REFERENCE=<out dir>/gdeflate-ref ctest --test-dir build -R gdeflate_reference
#
# DirectStorage: github.com/microsoft/DirectStorage (uses GDeflate/GDeflate/*.cpp).
# libdeflate:    github.com/NVIDIA/libdeflate at the commit DirectStorage's submodule pins
#                (3bb5c6924b32a91e6e6a8f54ba00a21f037a8db5, "NVIDIA GDEFLATE delivery").
set -eu
if [ $# -ne 3 ]; then
    echo "usage: $0 <DirectStorage dir> <NVIDIA libdeflate dir> <out dir>" >&2
    exit 2
fi
ds=$1 ld=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
for f in "$ds/GDeflate/GDeflate/GDeflateCompress.cpp" "$ld/lib/gdeflate_decompress.c"; do
    [ -f "$f" ] || { echo "missing $f: wrong checkout?" >&2; exit 2; }
done
mkdir -p "$out/obj"
for f in deflate_compress deflate_decompress gdeflate_compress gdeflate_decompress utils adler32 crc32 \
         x86/cpu_features; do
    ${CC:-cc} -O2 -c -I "$ld" "$ld/lib/$f.c" -o "$out/obj/$(basename $f).o"
done
${CXX:-c++} -O2 -std=c++17 -I "$ds/GDeflate/GDeflate" -I "$ld" "$here/reference_cli.cpp" \
    "$ds/GDeflate/GDeflate/GDeflateCompress.cpp" "$ds/GDeflate/GDeflate/GDeflateDecompress.cpp" \
    "$out"/obj/*.o -o "$out/gdeflate-ref" -lpthread
echo "built $out/gdeflate-ref"
