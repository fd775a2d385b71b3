// SPDX-License-Identifier: MIT
// Cross-check against Microsoft's reference GDeflate codec, in both directions:
//   our encoder -> reference decoder, and reference encoder (levels 1..12) -> our decoder.
// The reference is not in this repository: build its wrapper with runtime/fuzz/build_reference.sh
// and point DS_GDEFLATE_REFERENCE at the binary. Without it the test skips (77) and says so;
// set DS_REQUIRE_GDEFLATE_REFERENCE=1 to make that a failure.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "check.h"
#include "ds/gdeflate.h"
#include "test_util.h"

namespace gd = ds::gdeflate;

namespace {

std::string g_ref;
std::string g_dir;

bool write_file(const std::string &path, const std::vector<uint8_t> &data) {
    FILE *f = std::fopen(path.c_str(), "wb");
    if (!f)
        return false;
    bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
    return std::fclose(f) == 0 && ok;
}

std::vector<uint8_t> read_file(const std::string &path) {
    std::vector<uint8_t> v;
    FILE *f = std::fopen(path.c_str(), "rb");
    if (!f)
        return v;
    uint8_t buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
        v.insert(v.end(), buf, buf + n);
    std::fclose(f);
    return v;
}

int run_ref(const char *mode, const std::string &arg, const std::string &in, const std::string &out) {
    pid_t pid = fork();
    if (pid == 0) {
        execl(g_ref.c_str(), g_ref.c_str(), mode, arg.c_str(), in.c_str(), out.c_str(), (char *)nullptr);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<uint8_t> mixed(size_t size, uint32_t seed) {
    std::vector<uint8_t> v = dstest::random_bytes(size, seed);
    // Runs, repeats at many distances and literal noise, so every symbol kind appears.
    for (size_t i = 0; i + 300 < size; i += 1000 + (v[i] % 500)) {
        size_t dist = 1 + (size_t(v[i + 1]) << 7 | v[i + 2]) % 32768;
        size_t len = 3 + v[i + 3] % 256;
        if (dist <= i)
            for (size_t k = 0; k < len && i + k < size; ++k)
                v[i + k] = v[i + k - dist];
        else
            for (size_t k = 0; k < len && i + k < size; ++k)
                v[i + k] = uint8_t(k & 1);
    }
    return v;
}

void ours_to_reference(const std::vector<uint8_t> &in, int level, const char *what) {
    std::vector<uint8_t> packed(gd::compress_bound(in.size()));
    size_t written = 0;
    if (!CHECK_EQ(gd::encode(in.data(), in.size(), packed.data(), packed.size(), level, 2, &written), gd::Error::Ok))
        return;
    packed.resize(written);
    std::string src = g_dir + "/ours.gdf", dst = g_dir + "/ours.out";
    CHECK(write_file(src, packed));
    int rc = run_ref("d", std::to_string(in.size()), src, dst);
    if (!CHECK_EQ(rc, 0)) {
        std::fprintf(stderr, "  reference decoder refused our %s stream (%zu bytes, level %d)\n", what, in.size(),
                     level);
        return;
    }
    if (!CHECK(read_file(dst) == in))
        std::fprintf(stderr, "  reference decoded our %s stream (level %d) to different bytes\n", what, level);
}

void reference_to_ours(const std::vector<uint8_t> &in, int level, const char *what) {
    std::string src = g_dir + "/ref.in", dst = g_dir + "/ref.gdf";
    CHECK(write_file(src, in));
    int rc = run_ref("c", std::to_string(level), src, dst);
    if (!CHECK_EQ(rc, 0))
        return;
    std::vector<uint8_t> packed = read_file(dst);
    std::vector<uint8_t> out(in.size());
    gd::Error e = gd::decode(packed.data(), packed.size(), out.data(), out.size(), 2);
    if (!CHECK_EQ(std::string(gd::error_name(e)), std::string("ok"))) {
        std::fprintf(stderr, "  our decoder refused the reference's %s stream (level %d)\n", what, level);
        return;
    }
    if (!CHECK(out == in))
        std::fprintf(stderr, "  our decoder decoded the reference's %s stream (level %d) wrongly\n", what, level);
}

}  // namespace

int main() {
    const char *ref = std::getenv("DS_GDEFLATE_REFERENCE");
    if (!ref || !*ref || access(ref, X_OK) != 0)
        dstest::skip_or_fail("DS_REQUIRE_GDEFLATE_REFERENCE",
                             "reference codec not present: build it with runtime/fuzz/build_reference.sh and set "
                             "DS_GDEFLATE_REFERENCE=<out>/gdeflate-ref (this cross-check did NOT run)");
    g_ref = ref;
    char tmpl[] = "/tmp/gdeflate-ref-XXXXXX";
    if (!mkdtemp(tmpl)) {
        std::perror("mkdtemp");
        return 1;
    }
    g_dir = tmpl;
    std::printf("cross-checking against %s\n", ref);

    // The reference rejects empty input, so sizes start at 1.
    const size_t sizes[] = {1, 2, 100, 65535, 65536, 65537, 300001};
    for (size_t n : sizes) {
        std::vector<uint8_t> noise = dstest::random_bytes(n, uint32_t(n));
        std::vector<uint8_t> mix = mixed(n, uint32_t(n) + 1);
        std::vector<uint8_t> flat(n, 0x5A);
        for (int level = gd::kLevelFastest; level <= gd::kLevelBestRatio; ++level) {
            if (n > 70000 && level % 4 != 1 && level != 12)
                continue;  // big inputs: levels 1, 5, 9, 12 only, to keep the test short
            ours_to_reference(noise, level, "random");
            ours_to_reference(mix, level, "mixed");
            ours_to_reference(flat, level, "flat");
            reference_to_ours(noise, level, "random");
            reference_to_ours(mix, level, "mixed");
            reference_to_ours(flat, level, "flat");
        }
    }
    std::string cleanup = "rm -rf '" + g_dir + "'";
    if (std::system(cleanup.c_str()) != 0)
        std::fprintf(stderr, "could not remove %s\n", g_dir.c_str());
    return dstest::finish("gdeflate_reference_test");
}
