// SPDX-License-Identifier: MIT
// Writes a seed corpus for gdeflate_decode_fuzz: small valid streams of every block type and
// level, so the fuzzer starts from inputs that reach deep into the decoder.
//   gdeflate_seed <dir>
#include <cstdio>
#include <string>
#include <vector>

#include "ds/gdeflate.h"

namespace gd = ds::gdeflate;

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
        return 2;
    }
    std::vector<std::vector<uint8_t>> inputs;
    inputs.push_back({'a'});
    inputs.push_back(std::vector<uint8_t>(300, 0));
    std::vector<uint8_t> text;
    const char *words = "lane tile huffman stream copy literal ";
    for (unsigned i = 0; text.size() < 3000; ++i)
        text.push_back(uint8_t(words[(i * 7 + i / 13) % 38]));
    inputs.push_back(text);
    std::vector<uint8_t> noise(700);
    uint32_t x = 12345;
    for (auto &b : noise)
        b = uint8_t((x = x * 1103515245u + 12345u) >> 24);
    inputs.push_back(noise);

    unsigned n = 0;
    for (const auto &in : inputs) {
        for (int level : {1, 6, 12}) {
            std::vector<uint8_t> out(gd::compress_bound(in.size()));
            size_t written = 0;
            if (gd::encode(in.data(), in.size(), out.data(), out.size(), level, 1, &written) != gd::Error::Ok) {
                std::fprintf(stderr, "encode failed\n");
                return 1;
            }
            std::string path = std::string(argv[1]) + "/seed-" + std::to_string(n++);
            FILE *f = std::fopen(path.c_str(), "wb");
            if (!f || std::fwrite(out.data(), 1, written, f) != written || std::fclose(f) != 0) {
                std::fprintf(stderr, "cannot write %s\n", path.c_str());
                return 1;
            }
        }
    }
    std::printf("wrote %u seeds to %s\n", n, argv[1]);
    return 0;
}
