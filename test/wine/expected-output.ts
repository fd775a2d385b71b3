// SPDX-License-Identifier: MIT
// Extra lines the Windows programs of test/wine must print, beyond "<name>: all checks passed": a case
// a machine cannot run must say so, never pass silently. One definition for every runner of these
// programs (test/wine/wine-module.test.ts, test/wine-tree/wine-programs.ts).

export const expectedLines: Record<string, RegExp[]> = {
  // The default GPU path (d3d12) decodes GDeflate on the CPU; GPU path vulkan says otherwise
  // (test/wine/vkd3d-proton.test.ts checks that).
  gdeflate: [/gdeflate: GPU destinations decoded on the CPU/],
  // lavapipe: TiledResourcesTier 0, and upstream vkd3d's CopyTiles is a FIXME stub, so tiles are not exercised here.
  gpu_destinations: [
    /tiles: (not supported by this D3D12 \(TiledResourcesTier 0\), covered on the GPU machine only where its D3D12 reports a tier above 0 and implements CopyTiles \(upstream vkd3d's CopyTiles is a FIXME stub\); TILES destinations were not exercised here|TiledResourcesTier [1-9], exercising CopyTiles[^]*all tile checks passed)/,
  ],
};
