#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# device-targets.sh (copied as .device-all/targets.sh by make-device-session.sh): the rows issues 10
# and 11 set targets for, in one call, 1 GiB each (the runtime's own row size), each module row with
# its CPU seconds by thread (bench_module --threads; the runtime's threads are named "ds-..."):
#   rt        the runtime alone (npm run bench's code: file -> GPU and GDeflate file -> GPU rows)
#   vulkan    file -> GPU buffer on the vulkan path, 64 KiB / 1 MiB / 16 MiB
#   gdeflate  GDeflate file -> GPU buffer: vulkan path (mixed data); d3d12 path's meta command with
#             the default 32 MiB staging, mixed and texture data, default and no_upload_hvv
#   texture   the meta command on texture data, 32 MiB staging: the default input ring and decode
#             buffer (64 MiB each), and 128 MiB each (DS_KIT_GDEFLATE_INPUT_MIB, _DECODE_MIB)
#   cpu       64 KiB file -> GPU buffer with the ReadFile baselines: Wine's d3d12, vkd3d-proton's
#             d3d12 path; 1 MiB and 16 MiB under Wine's d3d12
#   readers   64 KiB file -> GPU buffer under Wine's d3d12 with 2, 4 and 8 reader threads
#             (bench_module --submit-threads: DSTORAGE_CONFIGURATION.NumSubmitThreads), and with
#             the staging buffer in an UPLOAD heap (DS_KIT_STAGING_HEAP=upload; write-combined
#             where the write-back CUSTOM heap is cached) under Wine's d3d12 and vkd3d-proton
#   copies    file -> GPU buffer on the vulkan path, 64 KiB and 1 MiB, in file order and scattered
#             (bench_module --scatter), with the runtime's shader copies (the default where
#             vkd3d-proton enabled bufferDeviceAddress) and without (DS_KIT_SHADER_COPIES=0); 64 KiB
#             scattered on the d3d12 paths for comparison
#   staging   the vulkan path with the runtime's staging in its own imported huge pages (the default
#             where vkd3d-proton enabled VK_EXT_external_memory_host) and in the driver's memory
#             (DS_KIT_HOST_STAGING=0): 64 KiB scattered, 1 MiB, 16 MiB; GDeflate 16 MiB (mixed data)
#   shader    GDeflate file -> GPU buffer on the vulkan path (the runtime's compute shader), mixed
#             and texture data (every byte a literal), 1 MiB and 16 MiB
#   tests     every test program: vulkan path, d3d12 path (vkd3d-proton), Wine's d3d12
# SECTIONS picks them (default: all, in that order). Run from the repository root, node left in
# /tmp/ds-perf by a .device-perf call just before (for rt):
#   SECTIONS="rt vulkan" bash .device-wine/wine-on-gpu.sh .device-wine -- bash .device-all/targets.sh
# Writes $OUT/targets.log.
set -u
SUMMARY=targets.log
. "$(dirname "$0")/lib.sh"
SECTIONS=${SECTIONS:-rt vulkan gdeflate texture cpu readers copies staging tests}
BM_FLAGS=--threads
want() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }
G="--mib 1024 --reps 2 --only gdeflate --dest buffer"
if want rt; then
  echo "== runtime alone: npm run bench's code (bench.mjs), GPU and GDeflate rows, same call" >>"$S"
  runtime_bench 170 &&
    grep -a -E -A5 "^== vulkan-gpu-seq|^== file -> GPU buffer, 16 MiB per request: GDeflate" "$out/rt.log" >>"$S"
fi
if want vulkan; then
  for size in 64 1024 16384; do
    bm "vulkan path, $size KiB" "--mib 1024 --reps 2 --only plain --dest buffer --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
  done
fi
if want gdeflate; then
  for size in 1024 16384; do
    bm "vulkan path, GDeflate, mixed data, $size KiB" "$G --data mixed --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
    bm "d3d12 path, meta command, mixed data, staging 32, $size KiB" "$G --data mixed --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
    bm "same, no_upload_hvv" "$G --data mixed --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12 VKD3D_CONFIG=no_upload_hvv
    bm "d3d12 path, meta command, texture data, staging 32, $size KiB" "$G --data texture --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
    bm "same, no_upload_hvv" "$G --data texture --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12 VKD3D_CONFIG=no_upload_hvv
  done
fi
if want shader; then
  for size in 1024 16384; do
    for data in mixed texture; do
      bm "vulkan path, GDeflate, $data data, $size KiB" "$G --data $data --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
    done
  done
fi
if want texture; then
  for size in 1024 16384; do
    for mib in 64 128; do
      bm "d3d12 path, meta command, texture data, staging 32, input ring and decode buffer $mib MiB, $size KiB" "$G --data texture --size $size" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12 DS_KIT_GDEFLATE_INPUT_MIB=$mib DS_KIT_GDEFLATE_DECODE_MIB=$mib
    done
  done
fi
if want cpu; then
  bm "Wine's d3d12, 64 KiB, with the baselines" "--mib 1024 --reps 2 --only plain --size 64" WINEDLLOVERRIDES="$W"
  bm "vkd3d-proton d3d12 path, 64 KiB, with the baselines" "--mib 1024 --reps 2 --only plain --size 64" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12 VKD3D_CONFIG=no_upload_hvv
  for size in 1024 16384; do
    bm "Wine's d3d12, $size KiB, with the baselines" "--mib 1024 --reps 2 --only plain --size $size" WINEDLLOVERRIDES="$W"
  done
fi
if want readers; then
  for n in 2 4 8; do
    bm "Wine's d3d12, 64 KiB, $n reader threads" "--mib 1024 --reps 2 --only plain --size 64 --dest buffer --submit-threads $n" WINEDLLOVERRIDES="$W"
  done
  bm "Wine's d3d12, 64 KiB, staging in an UPLOAD heap" "--mib 1024 --reps 2 --only plain --size 64 --dest buffer" WINEDLLOVERRIDES="$W" DS_KIT_STAGING_HEAP=upload
  bm "same, 4 reader threads" "--mib 1024 --reps 2 --only plain --size 64 --dest buffer --submit-threads 4" WINEDLLOVERRIDES="$W" DS_KIT_STAGING_HEAP=upload
  bm "vkd3d-proton d3d12 path, 64 KiB, staging in an UPLOAD heap (no_upload_hvv)" "--mib 1024 --reps 2 --only plain --size 64 --dest buffer" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12 VKD3D_CONFIG=no_upload_hvv DS_KIT_STAGING_HEAP=upload
  bm "same, vkd3d-proton's defaults (UPLOAD in VRAM)" "--mib 1024 --reps 2 --only plain --size 64 --dest buffer" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12 DS_KIT_STAGING_HEAP=upload
fi
if want copies; then
  for size in 64 1024; do
    for layout in "" " --scatter"; do
      V="--mib 1024 --reps 2 --only plain --dest buffer --size $size$layout"
      bm "vulkan path, $size KiB$layout, shader copies" "$V" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
      bm "same, shader copies off" "$V" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan DS_KIT_SHADER_COPIES=0
    done
  done
  bm "vkd3d-proton d3d12 path, 64 KiB --scatter" "--mib 1024 --reps 2 --only plain --dest buffer --size 64 --scatter" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
  bm "Wine's d3d12, 64 KiB --scatter" "--mib 1024 --reps 2 --only plain --dest buffer --size 64 --scatter" WINEDLLOVERRIDES="$W"
fi
if want staging; then
  for case in "64 --scatter" "1024" "16384"; do
    V="--mib 1024 --reps 2 --only plain --dest buffer --size $case"
    bm "vulkan path, $case KiB, host staging" "$V" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
    bm "same, the driver's staging" "$V" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan DS_KIT_HOST_STAGING=0
  done
  bm "vulkan path, GDeflate, mixed data, 16384 KiB" "$G --data mixed --size 16384" WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
fi
if want tests; then
  left 400 "tests vulkan path" && t vkd3d-vulkan WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=vulkan
  left 470 "tests d3d12 path" && t vkd3d-d3d12 WINEDLLOVERRIDES="$P" DS_KIT_GPU_PATH=d3d12
  left 530 "tests Wine's d3d12" && t wine-d3d12 WINEDLLOVERRIDES="$W"
fi
rm -f "$bin"/bench_module_*.bin "$bin"/vkd3d-proton.cache* 2>/dev/null
cat "$S"
exit 0
