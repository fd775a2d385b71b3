#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A Debian system with another Wine (trixie: Wine 10.0), made with debootstrap from Debian's packages
# only, cached, and a way to run one command inside it.
#
#   wine-chroot.sh ensure CACHE_DIR SUITE PACKAGE...   prints the system's directory (made once per
#                                                      suite + package list, reused after that)
#   wine-chroot.sh run ROOT COMMAND [ARG...]           runs COMMAND inside ROOT with /proc, /sys, /dev
#                                                      and /dev/pts mounted; they are unmounted on
#                                                      every exit path (success, failure, signal)
# Needs root, debootstrap and chroot. Output of the slow steps: CACHE_DIR/<key>.log.
set -euo pipefail

die() { echo "wine-chroot.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap and chroot); run the tests as root, or in CI"
mirror=${DS_KIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Bumped when the way the system is made changes, so an old cache is not reused.
recipe=1

# The extra certificate authority the host trusts (a TLS-inspecting proxy), trusted inside as well.
host_ca() {
  local ca=${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-}}
  [ -n "$ca" ] && [ -f "$ca" ] && echo "$ca" || true
}

mounts=(proc sys dev dev/pts)
unmount_all() {
  local root=$1 i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    if mountpoint -q "$root/${mounts[i]}"; then
      umount "$root/${mounts[i]}" 2>/dev/null || umount -l "$root/${mounts[i]}"
    fi
  done
}
mount_all() {
  local root=$1 m
  for m in "${mounts[@]}"; do
    mkdir -p "$root/$m"
    mountpoint -q "$root/$m" || mount --bind "/$m" "$root/$m"
  done
}

in_root() { # ROOT COMMAND...: mounted for the command's lifetime only
  local root=$1; shift
  trap "unmount_all '$root'" EXIT
  trap 'exit 130' INT TERM HUP
  mount_all "$root"
  chroot "$root" "$@"
}

ensure() {
  local cache=$1 suite=$2; shift 2
  command -v debootstrap >/dev/null || die "debootstrap is not installed: run './scripts/install-deps.sh --test' (or apt-get install debootstrap)"
  local key
  key=$suite-$(printf '%s\n' "$recipe" "$mirror" "$suite" "$@" | sha256sum | cut -c1-12)
  local root=$cache/$key log=$cache/$key.log
  mkdir -p "$cache"
  exec 9>"$cache/$key.lock"
  flock 9
  if [ -x "$root/usr/bin/wine" ]; then echo "$root"; return; fi
  local partial=$root.partial
  # A finished debootstrap is kept when a later step failed (network); anything else starts over.
  if [ -d "$partial" ] && [ ! -f "$partial/.ds-kit-debootstrapped" ]; then
    unmount_all "$partial"
    rm -rf --one-file-system "$partial"
  fi
  if [ ! -d "$partial" ]; then
    echo "debootstrap --variant=minbase $suite (about 2 minutes; log: $log)" >&2
    debootstrap --variant=minbase "$suite" "$partial" "$mirror" >"$log" 2>&1 ||
      die "debootstrap $suite failed: $(tail -n 1 "$log"); full log: $log"
    touch "$partial/.ds-kit-debootstrapped"
  fi
  local ca
  ca=$(host_ca)
  if [ -n "$ca" ]; then
    cp "$ca" "$partial/etc/ds-kit-host-ca.crt"
    printf 'Acquire::https::CAInfo "/etc/ds-kit-host-ca.crt";\n' >"$partial/etc/apt/apt.conf.d/90ds-kit-host-ca"
  fi
  echo "apt-get install $* (log: $log)" >&2
  (in_root "$partial" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update -q && apt-get install -y -q --no-install-recommends "$@" && apt-get clean' sh "$@") >>"$log" 2>&1 ||
    die "apt-get install in the $suite system failed: $(tail -n 1 "$log"); full log: $log"
  [ -x "$partial/usr/bin/wine" ] || die "the $suite system has no /usr/bin/wine after installing $*; see $log"
  mv "$partial" "$root"
  echo "$root"
}

case ${1:-} in
  ensure) [ $# -ge 3 ] || die "usage: wine-chroot.sh ensure CACHE_DIR SUITE PACKAGE..."; shift; ensure "$@" ;;
  run) [ $# -ge 3 ] || die "usage: wine-chroot.sh run ROOT COMMAND [ARG...]"; shift; in_root "$@" ;;
  *) die "usage: wine-chroot.sh ensure CACHE_DIR SUITE PACKAGE... | run ROOT COMMAND [ARG...]" ;;
esac
