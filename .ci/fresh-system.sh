#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs command lines in a brand-new minimal Debian system (debootstrap --variant=minbase, Debian's
# own packages only) holding a clone of this repository at /p. Nothing from the host leaks in but
# the clone itself, the host's DNS configuration, proxy variables, CI, and the extra TLS certificate
# authority the host trusts (NODE_EXTRA_CA_CERTS / SSL_CERT_FILE), if any.
#
# usage: .ci/fresh-system.sh NAME=COMMAND-LINE...      (as root)
#   Each NAME=COMMAND-LINE is one step, run in order with `bash -c` in /p; the first failing step
#   ends the run. A step's output goes to stdout and to build/logs/ci/NAME.log.
#
# Environment:
#   DS_KIT_CI_SUITE      Debian suite (default bookworm)
#   DS_KIT_CI_MIRROR     Debian mirror (default http://deb.debian.org/debian)
#   DS_KIT_CI_WORK       work directory: the cached bare system, the run's root (default /var/tmp/ds-kit-ci)
#   DS_KIT_CI_BASE_DAYS  re-create the cached bare system when older than this (default 7)
#   DS_KIT_CI_DEADLINE   epoch seconds by which every step must have ended (default: none); each step's
#                        timeout is what is left of it
#   DS_KIT_CI_APT_CACHE  where downloaded .deb files are kept between runs, or "off"
#                        (default: WORK/cache/apt-archives)
#   DS_KIT_CI_FIXTURE_CACHE  kept test fixtures, mounted at /var/cache/ds-kit in the new system (the
#                        Debian trixie system with Wine 10.0 that test/wine/wine10.test.ts makes), or
#                        "off" (default: WORK/cache/fixtures)
#   DS_KIT_CI_KEEP=1     keep the run's root after the run (for looking around)
#
# The bare system is cached as a tar archive of debootstrap's output with a key (suite, variant,
# architecture, mirror, debootstrap version) and a sha256 manifest. A run uses it only when the key
# matches, the archive is younger than DS_KIT_CI_BASE_DAYS and its checksum verifies; otherwise it
# runs debootstrap again. Each run extracts the archive into a new directory, so nothing one run
# installs or writes is seen by the next.
#
# Exit status: the first failing step's (124 when it ran out of time), 0 when every step passed,
# 2 when the system could not be made.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/.." && pwd)"
suite=${DS_KIT_CI_SUITE:-bookworm}
mirror=${DS_KIT_CI_MIRROR:-http://deb.debian.org/debian}
work=${DS_KIT_CI_WORK:-/var/tmp/ds-kit-ci}
base_days=${DS_KIT_CI_BASE_DAYS:-7}
deadline=${DS_KIT_CI_DEADLINE:-}
apt_cache=${DS_KIT_CI_APT_CACHE:-$work/cache/apt-archives}
fixture_cache=${DS_KIT_CI_FIXTURE_CACHE:-$work/cache/fixtures}
chroot_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { printf 'fresh-system: %s\n' "$*"; }
die() { printf 'fresh-system: error: %s\n' "$*" >&2; exit 2; }

[ "$#" -gt 0 ] || die "no steps given. usage: .ci/fresh-system.sh NAME=COMMAND-LINE..."
for step in "$@"; do
  [[ "$step" =~ ^[A-Za-z0-9_-]+= ]] || die "a step must be NAME=COMMAND-LINE, got '$step'"
done
[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, mount and chroot need it)"
command -v debootstrap >/dev/null ||
  die "debootstrap is missing on this host: apt-get install debootstrap (Arch: pacman -S debootstrap debian-archive-keyring)"

# --- the bare system, cached ---------------------------------------------------------------------

cache="$work/cache"
archive="$cache/$suite-minbase.tar"
arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
key="suite=$suite variant=minbase arch=$arch mirror=$mirror debootstrap=$(debootstrap --version 2>/dev/null | tr -d '\n')"

cache_valid() {
  [ -f "$archive" ] && [ -f "$archive.key" ] && [ -f "$archive.sha256" ] || return 1
  [ "$(cat "$archive.key")" = "$key" ] || { say "cached system was made for another key; re-creating"; return 1; }
  if [ -n "$(find "$archive" -mtime +"$base_days")" ]; then
    say "cached system is older than $base_days days; re-creating"; return 1
  fi
  (cd "$cache" && sha256sum --quiet --check "$(basename "$archive").sha256") ||
    { say "cached system fails its checksum; re-creating"; return 1; }
}

make_base() {
  local tmp="$cache/debootstrap.tmp" log="$cache/debootstrap.log" t0=$SECONDS
  mkdir -p "$cache"
  rm -rf --one-file-system "$tmp" "$archive" "$archive.key" "$archive.sha256"
  say "debootstrap --variant=minbase $suite from $mirror (log: $log)"
  if ! debootstrap --variant=minbase --arch="$arch" "$suite" "$tmp" "$mirror" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "debootstrap failed (full log: $log)"
  fi
  # The archive holds debootstrap's output unchanged: owners, modes, times, links, device nodes, xattrs.
  tar --numeric-owner --xattrs --acls -C "$tmp" -cf "$archive.tmp" .
  mv "$archive.tmp" "$archive"
  (cd "$cache" && sha256sum "$(basename "$archive")" >"$(basename "$archive").sha256")
  printf '%s\n' "$key" >"$archive.key"
  rm -rf --one-file-system "$tmp"
  say "bare $suite system made and cached in $((SECONDS - t0))s"
}

t_start=$SECONDS
mkdir -p "$cache"
exec 9>"$cache/lock" # one run at a time checks or re-creates the cache
flock 9
if cache_valid; then say "using the cached bare $suite system ($archive)"; else make_base; fi

# --- this run's root, mounts, and cleanup on every exit path ------------------------------------

mkdir -p "$work"
root="$(mktemp -d "$work/run.XXXXXX")"
mounted=()
failed_step=""

# Processes still running inside the root (a wineserver, an Xvfb): they would keep the mounts busy.
kill_leftovers() {
  local pid link sig found
  for sig in TERM KILL; do
    found=0
    for pid in /proc/[0-9]*; do
      link="$(readlink "$pid/root" 2>/dev/null)" || continue
      case "$link" in "$root"|"$root"/*) kill -s "$sig" "${pid#/proc/}" 2>/dev/null && found=1 ;; esac
    done
    if [ "$found" = 0 ]; then break; fi
    if [ "$sig" = TERM ]; then sleep 2; fi
  done
  return 0
}

still_mounted() { awk -v r="$root" '$5 == r || index($5, r "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; }

cleanup() {
  local status=$? i
  trap - EXIT INT TERM HUP
  set +e
  if [ -d "$root/ci-logs" ]; then
    mkdir -p "$src/build/logs/ci"
    cp -a "$root/ci-logs/." "$src/build/logs/ci/"
  fi
  if [ "$status" -ne 0 ] && [ -d "$root/p/build/logs" ]; then
    mkdir -p "$src/build/logs"
    cp -a "$root/p/build/logs/." "$src/build/logs/"
    say "the run's build/logs copied to $src/build/logs/"
  fi
  kill_leftovers
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || say "could not unmount ${mounted[i]}"
  done
  if still_mounted; then
    say "something is still mounted under $root; leaving it in place (unmount it, then remove it)"
  elif [ "${DS_KIT_CI_KEEP:-0}" = 1 ]; then
    say "kept the run's root: $root"
  else
    rm -rf --one-file-system "$root"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

tar --numeric-owner --xattrs --acls -C "$root" -xpf "$archive"
chmod 755 "$root" # mktemp made it 0700; the new system's / must be open to its unprivileged users
exec 9>&- # the cache may change now: this run has its copy
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

mount_bind() {
  local what="$1"
  mkdir -p "$root$what"
  mount --bind "$what" "$root$what"
  mounted+=("$root$what")
}
for m in /proc /sys /dev /dev/pts; do mount_bind "$m"; done
if mountpoint -q /dev/shm; then mount_bind /dev/shm; fi
# Downloaded .deb files are kept between runs: apt checks each against the hashes in the signed
# package lists before it installs it, so a kept file installs exactly what a new download would.
if [ "$apt_cache" != off ]; then
  mkdir -p "$apt_cache/partial" "$root/var/cache/apt/archives"
  mount --bind "$apt_cache" "$root/var/cache/apt/archives"
  mounted+=("$root/var/cache/apt/archives")
fi
# Test fixtures the tests make for themselves and key by their own inputs (the trixie system of
# wine10.test.ts is keyed by its package list): a test system, not the system under test.
if [ "$fixture_cache" != off ]; then
  mkdir -p "$fixture_cache" "$root/var/cache/ds-kit"
  mount --bind "$fixture_cache" "$root/var/cache/ds-kit"
  mounted+=("$root/var/cache/ds-kit")
fi

# The clone, as committed: what a CI checkout holds (no build outputs, no node_modules).
if [ -n "$(git -C "$src" status --porcelain 2>/dev/null)" ]; then
  say "warning: $src has uncommitted changes; the run uses the committed HEAD only"
fi
git clone --quiet --no-hardlinks "$src" "$root/p"
git -C "$root/p" checkout --quiet --detach "$(git -C "$src" rev-parse HEAD)"
say "clone of $(git -C "$src" rev-parse --short HEAD) in $root/p (system ready in $((SECONDS - t_start))s)"

# What the host passes in: CI, proxies, and the extra certificate authority it trusts.
chroot_env=(HOME=/root PATH="$chroot_path" LANG=C.UTF-8 TERM=dumb)
for var in CI http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  [ -n "${!var:-}" ] && chroot_env+=("$var=${!var}")
done
mkdir -p "$root/etc/ds-kit-ci"
for var in NODE_EXTRA_CA_CERTS SSL_CERT_FILE; do
  file="${!var:-}"
  [ -n "$file" ] || continue
  [ -f "$file" ] || { say "warning: $var=$file is not a file; not passed in"; continue; }
  cp -L "$file" "$root/etc/ds-kit-ci/$var.pem"
  chroot_env+=("$var=/etc/ds-kit-ci/$var.pem")
  [ "$var" = SSL_CERT_FILE ] && chroot_env+=("GIT_SSL_CAINFO=/etc/ds-kit-ci/$var.pem")
done

# --- the steps ---------------------------------------------------------------------------------

mkdir -p "$root/ci-logs"
summary=()
status=0
for step in "$@"; do
  name="${step%%=*}" line="${step#*=}"
  limit=()
  if [ -n "$deadline" ]; then
    left=$((deadline - $(date +%s)))
    [ "$left" -gt 60 ] || { say "no time left for step $name"; status=124; summary+=("$name: not run (no time left)"); break; }
    limit=(timeout --kill-after=30 "$left")
  fi
  printf '\n==> %s: %s\n' "$name" "$line"
  t0=$SECONDS
  # The step runs in the background and is waited for, so that a signal to this script ends the
  # wait at once (the traps then stop the step's processes). Its output goes through a FIFO to tee:
  # the step ends when its own process does, even if something it started still holds the output
  # open (kill_leftovers then closes it).
  fifo="$root/ci-logs/.$name.fifo"
  mkfifo "$fifo"
  tee "$root/ci-logs/$name.log" <"$fifo" &
  tee_pid=$!
  "${limit[@]}" chroot "$root" /usr/bin/env -i "${chroot_env[@]}" /bin/bash -c "cd /p && $line" </dev/null >"$fifo" 2>&1 &
  status=0
  wait "$!" || status=$?
  kill_leftovers
  wait "$tee_pid" || true
  rm -f "$fifo"
  took=$((SECONDS - t0))
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    summary+=("$name: stopped after ${took}s (out of time)")
    status=124
  else
    summary+=("$name: exit $status after ${took}s")
  fi
  printf '==> %s\n' "${summary[-1]}"
  if [ "$status" -ne 0 ]; then failed_step=$name; break; fi
done

printf '\n==> fresh %s system: %s steps\n' "$suite" "$#"
for s in "${summary[@]}"; do printf '  %s\n' "$s"; done
for step in "${@:$(( ${#summary[@]} + 1 ))}"; do printf '  %s: not run\n' "${step%%=*}"; done
[ -z "$failed_step" ] || say "step '$failed_step' failed; its output is in build/logs/ci/$failed_step.log"
exit "$status"
