#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs inside the Wine 10.0 system of test/wine/wine10.test.ts (copied to /ds-kit-test/ with the
# module in module/ and the programs in bin/):
#   chroot-runner.sh version         prints `wine --version`
#   chroot-runner.sh prefix          creates the Wine prefix once
#   chroot-runner.sh program NAME    runs bin/NAME.exe under xvfb-run; its exit status is the program's
# The wineserver is stopped before returning, so the bind mounts can be released.
set -u
export HOME=/root
unset DISPLAY XDG_RUNTIME_DIR
# The host's Vulkan driver list names its own files (bookworm: lvp_icd.x86_64.json; trixie ships
# lvp_icd.json): use this system's lavapipe, or no Vulkan device is found and D3D12CreateDevice fails.
unset VK_DRIVER_FILES VK_ICD_FILENAMES
for icd in /usr/share/vulkan/icd.d/lvp_icd*.json; do
  [ -f "$icd" ] && export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd" && break
done
export WINEPREFIX=/var/tmp/ds-kit-wine-prefix
export WINEDEBUG=${WINEDEBUG:--all}
# winedbg off: a crash ends the program at once instead of waiting in the debugger.
export WINEDLLOVERRIDES='dstorage,dstoragecore=b,n;winedbg.exe=d'
export WINEDLLPATH=/ds-kit-test/module
[ -n "${DS_KIT_WINE_BACKEND:-}" ] && export DS_KIT_WINE_BACKEND
case ${1:-} in
  version) exec wine --version ;;
  prefix)
    [ -f "$WINEPREFIX/system.reg" ] && exit 0
    wineboot -i; rc=$?
    wineserver -w
    exit $rc ;;
  program)
    xvfb-run -a wine "/ds-kit-test/bin/$2.exe"; rc=$?
    wineserver -k 2>/dev/null
    exit $rc ;;
  *) echo "usage: chroot-runner.sh version | prefix | program NAME" >&2; exit 2 ;;
esac
