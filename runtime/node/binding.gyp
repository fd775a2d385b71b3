# SPDX-License-Identifier: MIT
# The Node binding over ds-runtime. Build the runtime first (build/runtime/release), then:
#   node-gyp rebuild --directory runtime/node   (add --nodedir=/usr on Debian's packaged node)
{
  "targets": [
    {
      "target_name": "ds_runtime",
      "sources": [
        "src/addon.cpp",
        "src/js_convert.cpp",
        "src/backend_wrap.cpp",
        "src/vulkan_device_wrap.cpp",
        "src/request_builder.cpp",
        "src/queue_wrap.cpp",
        "src/bulk_reads.cpp",
        "src/ceilings.cpp",
        "src/gdeflate_throughput.cpp",
        "src/zstd_throughput.cpp"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "../include",
        "../src"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=c++17"],
      "cflags_cc": ["-std=c++20", "-fexceptions", "-Wall", "-Wextra", "-Wno-missing-field-initializers", "-Wno-unused-parameter"],
      "libraries": [
        "<(module_root_dir)/../../build/runtime/release/libds_runtime_static.a",
        "-lzstd",
        "-lpthread",
        "-ldl"
      ]
    }
  ]
}
