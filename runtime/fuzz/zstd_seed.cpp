// SPDX-License-Identifier: MIT
// Writes a seed corpus for zstd_request_fuzz: small valid requests (uncompressed size, delivery
// byte, one or two frames of our own encoder at several levels), so the fuzzer starts from inputs
// that reach deep into the decoder.
//   zstd_seed <dir>
#include <cstdio>
#include <string>
#include <vector>

#include "ds/zstd.h"

namespace zs = ds::zstd;

namespace {

std::vector<uint8_t> frame(const std::vector<uint8_t> &plain, int level) {
    std::vector<uint8_t> out(zs::compress_bound(plain.size()));
    size_t n = 0;
    if (zs::compress(plain.data(), plain.size(), level, out.data(), out.size(), &n, 1) != zs::Error::Ok)
        return {};
    out.resize(n);
    return out;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
        return 2;
    }
    std::vector<std::vector<uint8_t>> inputs;
    inputs.push_back({'a'});
    inputs.push_back(std::vector<uint8_t>(300, 0));
    std::vector<uint8_t> text;
    const char *words = "frame block literal sequence offset window checksum ";
    for (unsigned i = 0; text.size() < 3000; ++i)
        text.push_back(uint8_t(words[(i * 7 + i / 13) % 52]));
    inputs.push_back(text);
    std::vector<uint8_t> noise(700);
    uint32_t x = 12345;
    for (auto &b : noise)
        b = uint8_t((x = x * 1103515245u + 12345u) >> 24);
    inputs.push_back(noise);
    int n = 0;
    for (const auto &plain : inputs) {
        for (int level : {1, 3, 19}) {
            std::vector<uint8_t> stream = frame(plain, level);
            if (level == 3 && plain.size() < 1000) {  // two frames back to back
                std::vector<uint8_t> again = frame(plain, 1);
                stream.insert(stream.end(), again.begin(), again.end());
            }
            size_t total = plain.size() * (level == 3 && plain.size() < 1000 ? 2 : 1);
            std::vector<uint8_t> input = {uint8_t((total - 1) & 0xFF), uint8_t((total - 1) >> 8), uint8_t(level)};
            input.insert(input.end(), stream.begin(), stream.end());
            std::string path = std::string(argv[1]) + "/seed-" + std::to_string(n++);
            FILE *f = std::fopen(path.c_str(), "wb");
            if (!f || std::fwrite(input.data(), 1, input.size(), f) != input.size() || std::fclose(f) != 0) {
                std::perror(path.c_str());
                return 1;
            }
        }
    }
    std::printf("%d seeds in %s\n", n, argv[1]);
    return 0;
}
