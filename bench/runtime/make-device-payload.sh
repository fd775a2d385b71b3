#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make-device-payload.sh: puts into DIR (default .device-perf, git-ignored) what device-run.sh
# needs to run `npm run bench` and the runtime's test programs on a GPU machine that has no
# Node.js: this machine's node (xz-compressed), the built binding, scripts/bench/main.ts bundled
# by esbuild (the same code `npm run bench` runs), the release ctest programs (tar.xz) and the
# Vulkan loader package. Build first: `ds-kit build` (release runtime + binding). x86-64 only.
#   bash bench/runtime/make-device-payload.sh [DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/.device-perf}
mkdir -p "$dir"
addon=$root/runtime/node/build/Release/ds_runtime.node
tests=$root/build/runtime/release/tests
[ -f "$addon" ] || { echo "no $addon: run 'ds-kit build' first" >&2; exit 1; }
[ -d "$tests" ] || { echo "no $tests: run 'ds-kit build-runtime' first" >&2; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "the GPU machine is x86-64: build the payload on x86-64" >&2; exit 1; }

node_bin=$(readlink -f "$(command -v node)")
if [ ! -f "$dir/node.xz" ] || [ "$node_bin" -nt "$dir/node.xz" ]; then
  echo "compressing $node_bin ($(node --version)) into $dir/node.xz (about a minute)"
  xz -T2 -6 -c "$node_bin" >"$dir/node.xz.tmp" && mv "$dir/node.xz.tmp" "$dir/node.xz"
fi
cp "$addon" "$dir/ds_runtime.node"
"$root/node_modules/.bin/esbuild" "$root/scripts/bench/main.ts" --bundle --platform=node --format=esm \
  --target=node20 --log-level=warning --outfile="$dir/bench.mjs"
# Every test program but the reference codec's (it needs a codec built outside the repository).
(cd "$tests" && ls *_test | grep -v _reference_test | tar -cJf "$dir/tests.tar.xz" -T -)
mkdir -p "$dir/gl"
# The Vulkan loader and libglvnd: NVIDIA's Vulkan ICD is libGLX_nvidia, which needs libGLdispatch
# (without it vkCreateInstance fails with VK_ERROR_INCOMPATIBLE_DRIVER on the H200 machine).
GL_PACKAGES="libvulkan1 libglvnd0 libgl1 libglx0 libegl1 libopengl0 libgles2"
for p in $GL_PACKAGES; do
  compgen -G "$dir/gl/${p}_*.deb" >/dev/null && continue
  if compgen -G "$root/.device-wine/gl/${p}_*.deb" >/dev/null; then
    cp "$root"/.device-wine/gl/${p}_*.deb "$dir/gl/"
  else
    (cd "$dir/gl" && apt-get download "$p:amd64")
  fi
done
# Shared libraries the binding and the tests need beyond libc/libstdc++, for a machine without them.
mkdir -p "$dir/lib"
for lib in $(ldd "$addon" | awk '/libzstd/ {print $3}'); do cp -L "$lib" "$dir/lib/"; done
cp "$root/bench/runtime/device-run.sh" "$dir/run.sh"
git -C "$root" rev-parse --short HEAD >"$dir/COMMIT" 2>/dev/null || true
du -sh "$dir"
