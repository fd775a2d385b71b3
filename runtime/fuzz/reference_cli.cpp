// SPDX-License-Identifier: MIT
// A command-line wrapper around Microsoft's reference GDeflate codec, for cross-checking only.
// It is built outside the repository by build_reference.sh against a local checkout of
// github.com/microsoft/DirectStorage (GDeflate/) and github.com/NVIDIA/libdeflate; nothing of
// the reference is committed here. gdeflate_reference_test runs it through DS_GDEFLATE_REFERENCE.
//
//   gdeflate-ref c <level> <in> <out>   compress (single thread)
//   gdeflate-ref d <size> <in> <out>    decompress a stream of <size> uncompressed bytes
// Exit status: 0 ok, 1 the codec refused the input, 2 usage or file error.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "GDeflate.h"

static bool read_file(const char *path, std::vector<uint8_t> &out) {
    FILE *f = std::fopen(path, "rb");
    if (!f)
        return false;
    uint8_t buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
        out.insert(out.end(), buf, buf + n);
    std::fclose(f);
    return true;
}

static bool write_file(const char *path, const uint8_t *data, size_t size) {
    FILE *f = std::fopen(path, "wb");
    if (!f)
        return false;
    bool ok = std::fwrite(data, 1, size, f) == size;
    return std::fclose(f) == 0 && ok;
}

int main(int argc, char **argv) {
    if (argc != 5 || (std::strcmp(argv[1], "c") && std::strcmp(argv[1], "d"))) {
        std::fprintf(stderr, "usage: %s c <level> <in> <out> | d <size> <in> <out>\n", argv[0]);
        return 2;
    }
    std::vector<uint8_t> in;
    if (!read_file(argv[3], in)) {
        std::fprintf(stderr, "cannot read %s\n", argv[3]);
        return 2;
    }
    std::vector<uint8_t> out;
    size_t out_size = 0;
    bool ok;
    if (argv[1][0] == 'c') {
        out.resize(GDeflate::CompressBound(in.size()));
        out_size = out.size();
        ok = GDeflate::Compress(out.data(), &out_size, in.data(), in.size(), uint32_t(std::atoi(argv[2])),
                                GDeflate::COMPRESS_SINGLE_THREAD);
    } else {
        out_size = std::strtoull(argv[2], nullptr, 10);
        out.resize(out_size);
        ok = GDeflate::Decompress(out.data(), out_size, in.data(), in.size(), 1);
    }
    if (!ok) {
        std::fprintf(stderr, "reference codec refused the input\n");
        return 1;
    }
    if (!write_file(argv[4], out.data(), out_size)) {
        std::fprintf(stderr, "cannot write %s\n", argv[4]);
        return 2;
    }
    return 0;
}
