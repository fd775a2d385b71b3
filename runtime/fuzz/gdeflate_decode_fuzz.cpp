// SPDX-License-Identifier: MIT
// libFuzzer target for the GDeflate decoder. Each input is tried three ways:
//   1. as a whole tile stream (header, tile table, tiles), decoded with 1 and 2 threads;
//   2. as one raw tile bitstream, with the output size taken from the first two bytes;
//   3. as data to compress: encode (level from the first byte), decode, compare. A mismatch aborts.
// Any crash, sanitizer report, hang or abort is a bug. Build and run: runtime/fuzz/run.sh <seconds>.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ds/gdeflate.h"

namespace gd = ds::gdeflate;

namespace {

constexpr uint64_t kMaxOutput = 4u << 20;  // keep each run fast: larger streams are only parsed

void as_stream(const uint8_t *data, size_t size) {
    gd::StreamInfo info;
    if (gd::read_info(data, size, &info) != gd::Error::Ok || info.uncompressed_size > kMaxOutput)
        return;
    std::vector<uint8_t> out(size_t(info.uncompressed_size) + 1);
    uint64_t produced = 0;
    gd::Error one = gd::decode(data, size, out.data(), size_t(info.uncompressed_size), 1, &produced);
    if (one == gd::Error::Ok && produced != info.uncompressed_size)
        std::abort();
    std::vector<uint8_t> again(out.size());
    gd::Error two = gd::decode(data, size, again.data(), size_t(info.uncompressed_size), 2);
    // Both succeed or both fail (the error may differ: threads race to the first bad tile).
    if ((one == gd::Error::Ok) != (two == gd::Error::Ok))
        std::abort();
    if (one == gd::Error::Ok && std::memcmp(out.data(), again.data(), size_t(info.uncompressed_size)) != 0)
        std::abort();
    // A wrong destination size is refused before any decoding.
    if (gd::decode(data, size, out.data(), size_t(info.uncompressed_size) + 1, 1) == gd::Error::Ok)
        std::abort();
}

void as_tile(const uint8_t *data, size_t size) {
    if (size < 2)
        return;
    size_t out_size = (size_t(data[0]) | size_t(data[1]) << 8) + 1;  // 1 .. 64 KiB
    std::vector<uint8_t> out(out_size);
    gd::decode_tile(data + 2, size - 2, out.data(), out.size());
}

void round_trip(const uint8_t *data, size_t size) {
    if (size < 1 || size > 3 * gd::kTileSize)
        return;
    int level = 1 + data[0] % 12;
    std::vector<uint8_t> packed(gd::compress_bound(size));
    size_t written = 0;
    if (gd::encode(data, size, packed.data(), packed.size(), level, 1, &written) != gd::Error::Ok)
        std::abort();
    std::vector<uint8_t> out(size);
    if (gd::decode(packed.data(), written, out.data(), size, 1) != gd::Error::Ok ||
        std::memcmp(out.data(), data, size) != 0)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    as_stream(data, size);
    as_tile(data, size);
    round_trip(data, size);
    return 0;
}
