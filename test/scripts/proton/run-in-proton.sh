#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs one thing with the Wine of a Proton-shaped directory (test/scripts/proton/wine-proton.test.ts),
# on this machine or inside the Debian trixie system of test/wine/wine-chroot.sh:
#   run-in-proton.sh PROTON_DIR boot             creates $WINEPREFIX (once)
#   run-in-proton.sh PROTON_DIR wine ARG...      PROTON_DIR/files/bin/wine64 ARG... under xvfb-run
# The wineserver is stopped before returning (a chroot's bind mounts can then be released).
set -u
proton=$1 what=$2
shift 2
wine=$proton/files/bin/wine64
# A Vulkan driver of the system this runs in (inside trixie the host's list names files it lacks).
if [ -z "${VK_DRIVER_FILES:-}" ] || [ ! -f "${VK_DRIVER_FILES%%:*}" ]; then
  unset VK_DRIVER_FILES VK_ICD_FILENAMES
  for icd in /usr/share/vulkan/icd.d/lvp_icd*.json; do
    [ -f "$icd" ] && export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd" && break
  done
fi
case $what in
  boot)
    [ -f "$WINEPREFIX/system.reg" ] && exit 0
    xvfb-run -a "$wine" wineboot -i; rc=$?
    "$proton/files/bin/wineserver" -w ;;
  wine)
    xvfb-run -a "$wine" "$@"; rc=$?
    "$proton/files/bin/wineserver" -k 2>/dev/null ;;
  *) echo "usage: run-in-proton.sh PROTON_DIR boot | wine ARG..." >&2; exit 2 ;;
esac
exit $rc
