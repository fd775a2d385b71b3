// SPDX-License-Identifier: MIT
// The Vulkan backend's GDeflate compute shader (runtime/shaders/gdeflate_decode.comp). On a
// compute-queue device with VK_NV_memory_decompression off, GDeflate reads into GPU buffers are
// decoded by the shader: file and memory sources, sizes around the 64 KiB tile, several MiB,
// random/text/zero data, every encoder level, batches with unaligned destinations. Results are
// downloaded and compared byte for byte (bytes around each destination must be untouched), and
// the shader decodes are counted. Hand-built and corrupted streams go through the shader and
// through the CPU path (shader_decompression = false) of the same device: both must agree on the
// outcome and, when decoding succeeds, on every byte; failures are IoError/EBADMSG.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "ds/gdeflate.h"
#include "ds/queue.h"
#include "ds/vulkan_backend.h"
#include "gdeflate/format.h"
#include "gdeflate/lane_writer.h"
#include "gdeflate/tile_encoder.h"
#include "gdeflate_test_util.h"
#include "test_util.h"
#include "vk_test_dispatch.h"
#include "vulkan/gdeflate_shader.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace gd = ds::gdeflate;
namespace fmt = ds::gdeflate::fmt;
using namespace ds;

namespace {

constexpr uint64_t kBufferSize = 24u << 20;
constexpr uint8_t kFill = 0xA5;  // what the buffer holds around every destination

// ASan with fast_unwind_on_malloc=0 (lib/test-env.ts sets it, so that lavapipe's one-time leak
// at device creation has a stack deep enough to match its suppression) unwinds every malloc the
// slow way; lavapipe's LLVM then takes over ten minutes to compile the decoder's pipeline. Such
// a run starts this program again with fast unwinding, and leaves what the driver allocates while
// the device is created out of the leak check instead (__lsan_disable) .
void use_fast_malloc_unwinding(char **argv) {
#if defined(__SANITIZE_ADDRESS__)
    const char *options = std::getenv("ASAN_OPTIONS");
    std::string opts = options ? options : "";
    const std::string slow = "fast_unwind_on_malloc=0";
    size_t at = opts.find(slow);
    if (at == std::string::npos)
        return;
    opts.replace(at, slow.size(), "fast_unwind_on_malloc=1");
    std::printf("ASAN_OPTIONS has %s: running again with fast_unwind_on_malloc=1 (pipeline compile time)\n",
                slow.c_str());
    std::fflush(stdout);
    setenv("ASAN_OPTIONS", opts.c_str(), 1);
    execv("/proc/self/exe", argv);
    std::perror("execv /proc/self/exe");  // go on the slow way
#else
    (void)argv;
#endif
}

std::unique_ptr<VulkanDevice> open_compute_device_or_skip() {
    VulkanDeviceOptions options;
    options.prefer_compute_queue = true;
    options.memory_decompression = false;  // keep VK_NV_memory_decompression out of the way
    std::string why;
#if defined(__SANITIZE_ADDRESS__)
    __lsan_disable();  // the driver's never-freed setup (see use_fast_malloc_unwinding)
#endif
    auto dev = VulkanDevice::create(&why, options);
#if defined(__SANITIZE_ADDRESS__)
    __lsan_enable();
#endif
    if (!dev)
        dstest::skip_or_fail("DS_REQUIRE_VULKAN", why);
    return dev;
}

std::shared_ptr<Backend> make_backend(VulkanDevice &dev, bool shader, bool input_in_device_memory, bool subgroup_scan,
                                      bool direct_output) {
    VulkanBackendConfig bc = dev.backend_config();
    bc.nv_memory_decompression = false;
    bc.shader_decompression = shader;
    bc.shader_input_in_device_memory = input_in_device_memory;
    bc.shader_subgroup_scan = subgroup_scan;
    bc.shader_direct_output = direct_output;
    bc.staging_bytes = 32u << 20;
    bc.shader_scratch_bytes = 16u << 20;
    std::string why;
    auto backend = make_vulkan_backend(bc, &why);
    if (!backend) {
        std::fprintf(stderr, "make_vulkan_backend: %s\n", why.c_str());
        std::exit(1);
    }
    return backend;
}

// ---- data ----
std::vector<uint8_t> text_like(uint64_t size, uint32_t seed) {
    static const char kWords[] = "the quick brown fox jumps over the lazy dog while seven wizards box ";
    std::vector<uint8_t> r = dstest::random_bytes(size, seed), v(size);
    for (uint64_t i = 0; i < size; ++i)
        v[i] = uint8_t(kWords[(i * 5 / 3 + r[i] % 3) % (sizeof kWords - 1)]);
    return v;
}

enum class Kind { Random, Text, Zeros };

std::vector<uint8_t> make_data(Kind kind, uint64_t size, uint32_t seed) {
    switch (kind) {
    case Kind::Random: return dstest::random_bytes(size, seed);
    case Kind::Text: return text_like(size, seed);
    case Kind::Zeros: return std::vector<uint8_t>(size, 0);
    }
    return {};
}

const char *kind_name(Kind kind) { return kind == Kind::Random ? "random" : kind == Kind::Text ? "text" : "zeros"; }

std::vector<uint8_t> encode(const std::vector<uint8_t> &raw, int level) {
    std::vector<uint8_t> out(gd::compress_bound(raw.size()));
    size_t written = 0;
    CHECK_EQ(gd::encode(raw.data(), raw.size(), out.data(), out.size(), level, 0, &written), gd::Error::Ok);
    out.resize(written);
    return out;
}

Completion run_one(Queue &q, const Request &r) {
    CHECK_EQ(q.enqueue(r), QueueResult::Ok);
    q.submit();
    return dstest::drain(q, 1).at(0);
}

// ---- one device, two paths ----
struct Rig {
    VulkanDevice &dev;
    bool input_in_device_memory;  // the shader's streams copied to device memory first
    bool subgroup_scan;           // the shader variant with subgroup scans, where the device has them
    bool direct_output;           // the shader writes destinations itself, where the device has shader copies
    std::shared_ptr<Backend> shader_backend =
        make_backend(dev, true, input_in_device_memory, subgroup_scan, direct_output);
    std::shared_ptr<Backend> cpu_backend = make_backend(dev, false, false, true, true);
    std::unique_ptr<Queue> shader = Queue::create(shader_backend, QueueConfig{256, false});
    std::unique_ptr<Queue> cpu = Queue::create(cpu_backend, QueueConfig{256, false});
    uint64_t buffer = dev.create_buffer(kBufferSize);
    dstest::TempFile file{1, 7};
    uint64_t expected_shader_decodes = 0;
    uint64_t expected_cpu_decodes = 0;  // shader decodes sent back to the CPU (test_unfinished_retry)

    explicit Rig(VulkanDevice &d, bool device_input = true, bool subgroups = true, bool direct = true)
        : dev(d), input_in_device_memory(device_input), subgroup_scan(subgroups), direct_output(direct) {}
    ~Rig() {
        shader.reset();
        cpu.reset();
        dev.destroy_buffer(buffer);
    }

    void fill(uint64_t offset, uint64_t size) {
        std::vector<uint8_t> pattern(size, kFill);
        CHECK(dev.upload(buffer, offset, pattern.data(), size));
    }

    void write_file(const std::vector<uint8_t> &bytes, uint64_t offset) {
        CHECK(ftruncate(file.fd, 0) == 0);
        CHECK_EQ(pwrite(file.fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)),
                 static_cast<ssize_t>(bytes.size()));
    }

    static Request request(const std::vector<uint8_t> &stream, uint64_t usize, uint64_t gpu_offset, uint64_t buffer) {
        return dstest::gdeflate_gpu_request(stream, usize, buffer, kBufferSize, gpu_offset);
    }

    Completion run(Queue &q, const Request &r) { return run_one(q, r); }

    std::vector<uint8_t> download(uint64_t offset, uint64_t size) {
        std::vector<uint8_t> got(size);
        CHECK(dev.download(buffer, offset, got.data(), size));
        return got;
    }
};

bool same_bytes(const std::vector<uint8_t> &got, const std::vector<uint8_t> &want, const std::string &what) {
    if (got == want)
        return true;
    size_t at = 0;
    while (at < got.size() && at < want.size() && got[at] == want[at])
        ++at;
    std::fprintf(stderr, "  %s: bytes differ from offset %zu (got %zu bytes, expected %zu)\n", what.c_str(), at,
                 got.size(), want.size());
    return false;
}

// Decodes through the shader at `gpu_offset` (a guard of kFill on both sides is checked) and
// compares with `raw`.
void shader_round_trip(Rig &rig, const std::vector<uint8_t> &raw, const std::vector<uint8_t> &stream,
                       uint64_t gpu_offset, bool from_file, const std::string &what) {
    const uint64_t guard = 64;
    rig.fill(gpu_offset - guard, raw.size() + 2 * guard);
    Request r = Rig::request(stream, raw.size(), gpu_offset, rig.buffer);
    if (from_file) {
        const uint64_t file_offset = 333;
        rig.write_file(stream, file_offset);
        r.source = Source::File;
        r.src = nullptr;
        r.fd = rig.file.fd;
        r.offset = file_offset;
    }
    Completion c = rig.run(*rig.shader, r);
    if (!CHECK_EQ(c.status, Status::Ok)) {
        std::fprintf(stderr, "  %s: error %d\n", what.c_str(), c.error);
        return;
    }
    CHECK_EQ(c.bytes, raw.size());
    ++rig.expected_shader_decodes;
    std::vector<uint8_t> got = rig.download(gpu_offset - guard, raw.size() + 2 * guard);
    std::vector<uint8_t> want(raw.size() + 2 * guard, kFill);
    std::memcpy(want.data() + guard, raw.data(), raw.size());
    CHECK(same_bytes(got, want, what));
}

void test_sizes_and_data(Rig &rig) {
    const uint64_t sizes[] = {1, 2, 5, 65535, 65536, 65537, 200000, 5u << 20};
    const uint64_t offsets[] = {4096, 4097, 4098, 4099, 65536 + 1024};
    uint32_t seed = 10;
    size_t n = 0;
    for (Kind kind : {Kind::Random, Kind::Text, Kind::Zeros}) {
        for (uint64_t size : sizes) {
            if (kind == Kind::Text && size > (1u << 20))
                size = 3u << 20;  // the slowest kind on lavapipe
            std::vector<uint8_t> raw = make_data(kind, size, seed++);
            std::vector<uint8_t> stream = encode(raw, gd::kLevelDefault);
            uint64_t offset = offsets[n % 5];
            bool from_file = n % 2 == 0;
            shader_round_trip(rig, raw, stream, offset, from_file,
                              std::string(kind_name(kind)) + " " + std::to_string(size) + " at +" +
                                  std::to_string(offset) + (from_file ? " from file" : " from memory"));
            ++n;
        }
    }
    if (CHECK(rig.expected_shader_decodes > 0)) {
        // Zeros compress far (more than 100:1), so the shader ran long matches.
        std::vector<uint8_t> zeros(5u << 20, 0);
        CHECK(encode(zeros, gd::kLevelDefault).size() < zeros.size() / 100);
    }
}

// Random bytes with, every 700 bytes, a copy of 200 bytes from 20..28 KiB back and a run of 40
// equal bytes: matches whose source lies beyond the shader's 16 KiB window of recent output
// (read back from the scratch buffer), and overlapping ones (distance 1). Checked byte for byte.
std::vector<uint8_t> far_repeats(uint64_t size, uint32_t seed) {
    std::vector<uint8_t> v = dstest::random_bytes(size, seed), r = dstest::random_bytes(size / 64 + 1, seed + 1);
    for (uint64_t at = 40000, n = 0; at + 300 < size; at += 700, ++n) {
        uint64_t dist = 20480 + (uint64_t(r[n % r.size()]) << 5);  // 20..28 KiB
        std::memcpy(v.data() + at, v.data() + at - dist, 200);
        std::memset(v.data() + at + 200, v[at + 199], 40);  // a run: distance 1
    }
    return v;
}

// Text with a run of equal bytes every 5000 bytes, 300 to 20000 bytes long: GDeflate's long
// matches (more than 258 bytes), which the shader writes around its window, then short ones
// again, read from the window once it is back.
std::vector<uint8_t> long_runs(uint64_t size, uint32_t seed) {
    std::vector<uint8_t> v = text_like(size, seed), r = dstest::random_bytes(size / 5000 + 1, seed + 1);
    for (uint64_t at = 1000, n = 0; at < size; at += 5000, ++n) {
        uint64_t len = std::min<uint64_t>(300 + uint64_t(r[n]) * 77, size - at);
        std::memset(v.data() + at, int(r[n] | 1), len);
        at += len;
    }
    return v;
}

void test_far_matches(Rig &rig) {
    std::vector<uint8_t> raw = far_repeats(3 * gd::kTileSize + 4321, 77);
    shader_round_trip(rig, raw, encode(raw, gd::kLevelDefault), 4096, false, "repeats 20-28 KiB back");
    shader_round_trip(rig, raw, encode(raw, 12), 4099, true, "repeats 20-28 KiB back, level 12");
    std::vector<uint8_t> runs = long_runs(5 * gd::kTileSize + 99, 78);
    shader_round_trip(rig, runs, encode(runs, gd::kLevelDefault), 4097, true, "long runs between text");
    shader_round_trip(rig, runs, encode(runs, 1), 4098, false, "long runs between text, level 1");
}

// Destinations the shader writes itself where it can (shader_direct_output): sizes and offsets that
// are multiples of 4, 16-byte aligned (copied 16 bytes at a time) or not (4), in one batch with
// neighbours it must not touch.
void test_whole_words(Rig &rig) {
    std::vector<uint8_t> text = text_like(3 * gd::kTileSize, 61);
    shader_round_trip(rig, text, encode(text, 5), 1u << 20, true, "3 tiles of text at a 16-byte aligned offset");
    std::vector<uint8_t> random = dstest::random_bytes(70000, 62);
    shader_round_trip(rig, random, encode(random, 5), 4100, false, "70000 random bytes at +4100");
    std::vector<uint8_t> four = {1, 2, 3, 4};
    shader_round_trip(rig, four, encode(four, 5), 8192, false, "4 bytes");
}

void test_every_level(Rig &rig) {
    for (int level = 1; level <= 12; ++level) {
        std::vector<uint8_t> text = text_like(150000, 100 + level), random = dstest::random_bytes(70000, 200 + level);
        std::string at = " level " + std::to_string(level);
        shader_round_trip(rig, text, encode(text, level), 4096 + level, level % 2 == 0, "text" + at);
        shader_round_trip(rig, random, encode(random, level), 1u << 20, level % 2 == 1, "random" + at);
    }
}

// Several requests in one submit, packed next to each other at unaligned offsets with small gaps:
// every gap must keep its fill, every range its bytes.
void test_one_batch(Rig &rig) {
    const uint64_t sizes[] = {1, 3, 65535, 65536, 65537, 7, 140000, 1000, 65536 * 3 + 5, 2};
    const uint64_t base = 2u << 20;
    std::vector<std::vector<uint8_t>> raws, streams;
    std::vector<uint64_t> offsets;
    uint64_t at = base + 1;
    for (size_t i = 0; i < std::size(sizes); ++i) {
        Kind kind = i % 3 == 0 ? Kind::Random : i % 3 == 1 ? Kind::Text : Kind::Zeros;
        raws.push_back(make_data(kind, sizes[i], 300 + uint32_t(i)));
        streams.push_back(encode(raws.back(), int(i % 12) + 1));
        offsets.push_back(at);
        at += sizes[i] + i % 4;  // gaps of 0..3 bytes
    }
    const uint64_t span = at + 64 - base;
    rig.fill(base, span);
    uint64_t submits_before = rig.shader_backend->stats().submits;
    for (size_t i = 0; i < raws.size(); ++i) {
        Request r = Rig::request(streams[i], raws[i].size(), offsets[i], rig.buffer);
        r.user_data = i;
        CHECK_EQ(rig.shader->enqueue(r), QueueResult::Ok);
    }
    rig.shader->submit();
    for (const Completion &c : dstest::drain(*rig.shader, raws.size())) {
        CHECK_EQ(c.status, Status::Ok);
        CHECK_EQ(c.bytes, raws.at(c.user_data).size());
    }
    rig.expected_shader_decodes += raws.size();
    std::vector<uint8_t> want(span, kFill);
    for (size_t i = 0; i < raws.size(); ++i)
        std::memcpy(want.data() + (offsets[i] - base), raws[i].data(), raws[i].size());
    CHECK(same_bytes(rig.download(base, span), want, "batch of " + std::to_string(raws.size())));
    std::printf("batch of %zu requests: %llu submit(s)\n", raws.size(),
                static_cast<unsigned long long>(rig.shader_backend->stats().submits - submits_before));
}

// ---- streams built by hand (the encoder's LaneWriter follows the decoder's lane schedule) ----
template <typename Body> std::vector<uint8_t> make_tile(Body body, size_t cap = 8192) {
    std::vector<uint8_t> tile(cap);
    gd::LaneWriter w(tile.data(), tile.size());
    body(w);
    tile.resize(w.finish());
    return tile;
}

void put_code(gd::LaneWriter &w, uint32_t code, unsigned len) {  // a Huffman code, MSB first
    for (unsigned i = len; i-- > 0;)
        w.put((code >> i) & 1, 1);
}

void put_fixed_literal(gd::LaneWriter &w, uint8_t c) {
    if (c < 144)
        put_code(w, 0x30 + c, 8);
    else
        put_code(w, 0x190 + (c - 144), 9);
}

// The turns after end-of-block: every lane once, paying the distance `owed` lanes still owe.
void end_turns(gd::LaneWriter &w, uint32_t owing_lanes = 0, unsigned dist_code = 0) {
    for (unsigned n = 0; n < fmt::kLanes; ++n) {
        if (owing_lanes & (1u << w.lane()))
            put_code(w, dist_code, 5);
        w.advance();
    }
}

// A fixed block with "ab", a match of length 4 at distance 2 (paid after end-of-block), non-final;
// then a stored block "xyz", final: "ababab" + "xyz". Lane buffers carry over between blocks.
std::vector<uint8_t> two_block_tile() {
    return make_tile([](gd::LaneWriter &w) {
        w.put(0, 1);
        w.put(fmt::kBlockFixed, 2);
        w.ensure();
        w.reset();
        put_fixed_literal(w, 'a');
        w.advance();
        put_fixed_literal(w, 'b');
        w.advance();
        put_code(w, 2, 7);  // symbol 258: length 4
        w.advance();
        put_code(w, 0, 7);         // end of block on lane 3; lane 2 owes its distance
        end_turns(w, 1u << 2, 1);  // distance symbol 1: distance 2
        w.reset();
        w.put(1, 1);
        w.put(fmt::kBlockStored, 2);
        w.ensure();
        w.put(3, 16);
        for (char c : {'x', 'y', 'z'}) {
            w.put(uint8_t(c), 8);
            w.advance();
        }
        end_turns(w);
    });
}

// A fixed block whose end-of-block (lane 0 of the second round) cancels the distance turns of
// two matches of the first round: the turns after it pay both, and the second match copies the
// first one's bytes, so it must wait for it. "pq", "pqpq" (length 4, distance 2), "pqpq" (length
// 4, distance 4), then 28 times 'c'.
std::vector<uint8_t> chained_deferred_tile() {
    return make_tile([](gd::LaneWriter &w) {
        w.put(1, 1);
        w.put(fmt::kBlockFixed, 2);
        w.ensure();
        w.reset();
        put_fixed_literal(w, 'p');
        w.advance();
        put_fixed_literal(w, 'q');
        w.advance();
        for (int m = 0; m < 2; ++m) {
            put_code(w, 2, 7);  // symbol 258: length 4
            w.advance();
        }
        for (unsigned n = 4; n < fmt::kLanes; ++n) {
            put_fixed_literal(w, 'c');
            w.advance();
        }
        put_code(w, 0, 7);  // end of block
        for (unsigned n = 0; n < fmt::kLanes; ++n) {
            if (w.lane() == 2)
                put_code(w, 1, 5);  // distance 2
            else if (w.lane() == 3)
                put_code(w, 3, 5);  // distance 4
            w.advance();
        }
    });
}

// Fixed block: 'a', then length 3 at distance 2 (only 1 byte exists before it).
std::vector<uint8_t> bad_distance_tile() {
    return make_tile([](gd::LaneWriter &w) {
        w.put(1, 1);
        w.put(fmt::kBlockFixed, 2);
        w.ensure();
        w.reset();
        put_fixed_literal(w, 'a');
        w.advance();
        put_code(w, 1, 7);  // symbol 257: length 3
        w.advance();
        put_code(w, 0, 7);
        end_turns(w, 1u << 1, 1);
    });
}

// Symbol 285 (3 + 16 extra bits) asking for 60003 bytes in a 4-byte tile.
std::vector<uint8_t> long_match_tile() {
    return make_tile([](gd::LaneWriter &w) {
        w.put(1, 1);
        w.put(fmt::kBlockFixed, 2);
        w.ensure();
        w.reset();
        put_fixed_literal(w, 'a');
        w.advance();
        put_code(w, 0xC5, 8);
        w.put(60000, 16);
        w.advance();
        end_turns(w);
    });
}

// Stored blocks long enough for the shader's 128-byte groups, starting at every output alignment:
// fixed blocks of 1, 2 and 3 literals put each stored block at another offset, and its random
// bytes leave the lanes holding different bit counts (so their words come in a mixed order).
// Fills `want` with the tile's output.
std::vector<uint8_t> stored_runs_tile(std::vector<uint8_t> *want) {
    const std::vector<uint8_t> bytes = dstest::random_bytes(6000, 77);
    const unsigned lengths[] = {1000, 1337, 129, 2050, 700};
    want->clear();
    size_t used = 0;
    std::vector<uint8_t> tile = make_tile(
        [&](gd::LaneWriter &w) {
            for (unsigned b = 0; b < 5; ++b) {
                w.reset();
                w.put(0, 1);
                w.put(fmt::kBlockFixed, 2);
                w.ensure();
                w.reset();
                for (unsigned k = 0; k < 1 + b % 3; ++k) {
                    uint8_t c = uint8_t('a' + b + k);
                    put_fixed_literal(w, c);
                    w.advance();
                    want->push_back(c);
                }
                put_code(w, 0, 7);  // end of block
                end_turns(w);
                w.reset();
                w.put(b == 4, 1);
                w.put(fmt::kBlockStored, 2);
                w.ensure();
                w.put(lengths[b], 16);
                for (unsigned i = 0; i < lengths[b]; ++i) {
                    w.put(bytes[used], 8);
                    want->push_back(bytes[used++]);
                    w.advance();
                }
                end_turns(w);
            }
        },
        16384);
    return tile;
}

// Empty non-final stored blocks as far as the data goes.
std::vector<uint8_t> endless_tile() {
    return make_tile([](gd::LaneWriter &w) {
        for (int b = 0; b < 60; ++b) {
            w.reset();
            w.put(0, 1);
            w.put(fmt::kBlockStored, 2);
            w.ensure();
            w.put(0, 16);
            end_turns(w);
        }
    });
}

// `blocks` empty fixed-code blocks, then one with the literal 'q': valid, 1 byte of output, but
// about 4 loop iterations of the shader per block.
std::vector<uint8_t> many_blocks_tile(int blocks) {
    return make_tile(
        [&](gd::LaneWriter &w) {
            for (int b = 0; b <= blocks; ++b) {
                w.reset();
                w.put(b == blocks, 1);
                w.put(fmt::kBlockFixed, 2);
                w.ensure();
                w.reset();
                if (b == blocks) {
                    put_fixed_literal(w, 'q');
                    w.advance();
                }
                put_code(w, 0, 7);
                end_turns(w);
            }
        },
        size_t(blocks) * 8 + 4096);
}

// A stream of whole tiles from `tiles` (each 64 KiB of output except the last, `last_size`),
// each tile starting `pad` bytes after the previous one's end (pad 1: unaligned tile offsets).
std::vector<uint8_t> stream_of(const std::vector<std::vector<uint8_t>> &tiles, uint32_t last_size, uint32_t pad = 0) {
    std::vector<uint8_t> s = {gd::kCodecId, uint8_t(gd::kCodecId ^ 0xFF), uint8_t(tiles.size()),
                              uint8_t(tiles.size() >> 8)};
    dstest::put32(s, fmt::kTileSizeIdx64K | (last_size == gd::kTileSize ? 0 : last_size) << 2);
    std::vector<uint8_t> data;
    std::vector<uint32_t> starts;
    for (const auto &t : tiles) {
        starts.push_back(uint32_t(data.size()));
        data.insert(data.end(), t.begin(), t.end());
        data.insert(data.end(), pad, 0);
    }
    dstest::put32(s, uint32_t(tiles.back().size()));
    for (size_t i = 1; i < tiles.size(); ++i)
        dstest::put32(s, starts[i]);
    s.insert(s.end(), data.begin(), data.end());
    return s;
}

// `size` bytes encoded tile by tile with a forced block type.
std::vector<uint8_t> forced_stream(const std::vector<uint8_t> &raw, gd::BlockChoice choice, uint32_t pad = 0) {
    std::vector<std::vector<uint8_t>> tiles;
    gd::TileEncoder enc;
    const gd::MatchParams params = gd::match_params(gd::kLevelDefault);
    for (size_t at = 0; at < raw.size(); at += gd::kTileSize) {
        size_t n = std::min<size_t>(gd::kTileSize, raw.size() - at);
        std::vector<uint8_t> out(gd::compress_bound(n));
        size_t written = enc.run(raw.data() + at, n, params, out.data(), out.size(), choice);
        CHECK(written > 0);
        out.resize(written);
        tiles.push_back(out);
    }
    uint32_t last = uint32_t(raw.size() - (tiles.size() - 1) * gd::kTileSize);
    return stream_of(tiles, last, pad);
}

struct Case {
    std::string name;
    std::vector<uint8_t> stream;
    uint64_t usize;
    int expect;  // 1: must decode, 0: must fail, -1: either (both paths must agree)
};

// Both paths, same stream and destination: same status; the same bytes when both succeed.
void check_agree(Rig &rig, const Case &c) {
    const uint64_t offset = 8u << 20 | 3;
    rig.fill(offset, c.usize);
    Completion on_gpu = rig.run(*rig.shader, Rig::request(c.stream, c.usize, offset, rig.buffer));
    std::vector<uint8_t> gpu_bytes = rig.download(offset, c.usize);
    rig.fill(offset, c.usize);
    Completion on_cpu = rig.run(*rig.cpu, Rig::request(c.stream, c.usize, offset, rig.buffer));
    std::vector<uint8_t> cpu_bytes = rig.download(offset, c.usize);
    if (!CHECK_EQ(on_gpu.status, on_cpu.status)) {
        std::fprintf(stderr, "  %s: shader %d/%d, CPU %d/%d\n", c.name.c_str(), int(on_gpu.status), on_gpu.error,
                     int(on_cpu.status), on_cpu.error);
        return;
    }
    if (on_gpu.status == Status::Ok) {
        ++rig.expected_shader_decodes;
        CHECK(same_bytes(gpu_bytes, cpu_bytes, c.name + " (shader against CPU)"));
        CHECK_EQ(on_gpu.bytes, c.usize);
    } else {
        CHECK_EQ(on_gpu.status, Status::IoError);
        CHECK_EQ(on_gpu.error, EBADMSG);
        CHECK_EQ(on_gpu.bytes, 0u);
    }
    if (c.expect >= 0 && !CHECK_EQ(on_gpu.status == Status::Ok, c.expect == 1))
        std::fprintf(stderr, "  %s: expected it to %s\n", c.name.c_str(), c.expect ? "decode" : "fail");
}

void test_against_cpu(Rig &rig) {
    std::vector<Case> cases;
    cases.push_back(
        {"two blocks (fixed with a deferred match, stored)", dstest::one_tile_stream(two_block_tile(), 9), 9, 1});
    cases.push_back({"bad distance", dstest::one_tile_stream(bad_distance_tile(), 4), 4, 0});
    {
        std::vector<uint8_t> chained = dstest::one_tile_stream(chained_deferred_tile(), 38);
        std::string want = "pqpqpqpqpq" + std::string(28, 'c'), got(38, '\0');
        CHECK_EQ(gd::decode(chained.data(), chained.size(), reinterpret_cast<uint8_t *>(got.data()), 38, 1),
                 gd::Error::Ok);
        CHECK(got == want);
        cases.push_back({"two deferred matches, the second copying the first", chained, 38, 1});
    }
    cases.push_back({"long match past the tile", dstest::one_tile_stream(long_match_tile(), 4), 4, 0});
    {
        std::vector<uint8_t> want;
        std::vector<uint8_t> tile = stored_runs_tile(&want);
        std::vector<uint8_t> stream = dstest::one_tile_stream(tile, uint32_t(want.size())), got(want.size());
        CHECK_EQ(gd::decode(stream.data(), stream.size(), got.data(), got.size(), 1), gd::Error::Ok);
        CHECK(got == want);
        cases.push_back({"stored blocks at every output alignment", stream, want.size(), 1});
    }

    cases.push_back({"endless empty stored blocks", dstest::one_tile_stream(endless_tile(), 1), 1, 0});

    std::vector<uint8_t> text = text_like(3 * gd::kTileSize + 999, 41);
    for (auto choice : {gd::BlockChoice::Stored, gd::BlockChoice::Fixed, gd::BlockChoice::Dynamic}) {
        std::string name = choice == gd::BlockChoice::Stored  ? "stored"
                           : choice == gd::BlockChoice::Fixed ? "fixed"
                                                              : "dynamic";
        cases.push_back({name + " blocks", forced_stream(text, choice), text.size(), 1});
        cases.push_back({name + " blocks, tiles at odd offsets", forced_stream(text, choice, 1), text.size(), 1});
    }

    // A valid multi-tile stream, then damaged: flipped bits in the tile data, truncated tiles.
    std::vector<uint8_t> raw = text_like(200000, 42);
    for (size_t i = 0; i < raw.size(); i += 1000)
        raw[i] = uint8_t(i >> 3);
    std::vector<uint8_t> good = encode(raw, 6);
    const uint32_t tiles = good[2] | good[3] << 8;
    const size_t data_start = gd::kHeaderSize + 4 * tiles;
    cases.push_back({"valid", good, raw.size(), 1});
    std::vector<uint8_t> rnd = dstest::random_bytes(512, 43);
    for (int i = 0; i < 48; ++i) {
        std::vector<uint8_t> bad = good;
        size_t at = data_start + (size_t(rnd[2 * i]) << 8 | rnd[2 * i + 1]) * 7919 % (good.size() - data_start);
        bad[at] ^= uint8_t(1u << (rnd[200 + i] % 8));
        if (i % 3 == 0)
            bad[at + 1 < bad.size() ? at + 1 : at] ^= rnd[300 + i];
        cases.push_back({"bit flip at " + std::to_string(at), bad, raw.size(), -1});
    }
    // One-tile streams (fixed and dynamic codes at both ends of the level range), damaged the same way.
    for (int level : {1, 12}) {
        std::vector<uint8_t> small_raw = text_like(30000, 44 + level);
        std::vector<uint8_t> small = encode(small_raw, level);
        for (int i = 0; i < 40; ++i) {
            std::vector<uint8_t> bad = small;
            size_t at = gd::kHeaderSize + 4 + size_t(rnd[400 + i]) * 131 % (small.size() - gd::kHeaderSize - 4);
            bad[at] ^= uint8_t(1u << (i % 8));
            cases.push_back({"level " + std::to_string(level) + " tile, bit flip at " + std::to_string(at), bad,
                             small_raw.size(), -1});
        }
    }
    for (size_t cut : {size_t(1), size_t(5), size_t(64), size_t(1000)}) {
        // The last tile loses its final bytes; the table says so, so only the tile is short.
        std::vector<uint8_t> bad(good.begin(), good.end() - ptrdiff_t(cut));
        uint32_t last = uint32_t(bad[8]) | uint32_t(bad[9]) << 8 | uint32_t(bad[10]) << 16 | uint32_t(bad[11]) << 24;
        last -= uint32_t(cut);
        for (int b = 0; b < 4; ++b)
            bad[8 + b] = uint8_t(last >> (8 * b));
        // A few bytes may be words nobody reads (decoders read them as zeros): either outcome.
        cases.push_back({"last tile cut by " + std::to_string(cut), bad, raw.size(), cut < 1000 ? -1 : 0});
    }
    {
        // Tile 1 claims to end early: its range is cut, the data after it belongs to tile 2.
        std::vector<uint8_t> bad = good;
        uint32_t next = uint32_t(bad[16]) | uint32_t(bad[17]) << 8 | uint32_t(bad[18]) << 16 | uint32_t(bad[19]) << 24;
        uint32_t start1 =
            uint32_t(bad[12]) | uint32_t(bad[13]) << 8 | uint32_t(bad[14]) << 16 | uint32_t(bad[15]) << 24;
        uint32_t cut_to = start1 + (next - start1) / 2;
        for (int b = 0; b < 4; ++b)
            bad[16 + b] = uint8_t(cut_to >> (8 * b));
        cases.push_back({"middle tile cut in half", bad, raw.size(), 0});
    }

    size_t failed = 0;
    const uint64_t decoded_before = rig.expected_shader_decodes;
    for (const Case &c : cases) {
        int before = dstest::failures();
        check_agree(rig, c);
        failed += dstest::failures() != before;
    }
    std::printf("shader and CPU path agree on %zu of %zu streams (%llu decoded, the rest rejected by both)\n",
                cases.size() - failed, cases.size(),
                static_cast<unsigned long long>(rig.expected_shader_decodes - decoded_before));
}

// A request decoding to more than the scratch holds takes the CPU path, and still arrives intact.
void test_scratch_limit(VulkanDevice &dev, uint64_t buffer) {
    VulkanBackendConfig bc = dev.backend_config();
    bc.nv_memory_decompression = false;
    bc.staging_bytes = 8u << 20;
    bc.shader_scratch_bytes = 1u << 20;
    std::string why;
    auto backend = make_vulkan_backend(bc, &why);
    if (!CHECK(backend != nullptr))
        return;
    auto q = Queue::create(backend, QueueConfig{8, false});
    for (uint64_t size : {uint64_t(1u << 20), uint64_t((1u << 20) + 1)}) {
        std::vector<uint8_t> raw = text_like(size, 50), stream = encode(raw, 5);
        Completion c = run_one(*q, Rig::request(stream, size, 4096, buffer));
        CHECK_EQ(c.status, Status::Ok);
        std::vector<uint8_t> got(size);
        CHECK(dev.download(buffer, 4096, got.data(), size));
        CHECK(same_bytes(got, raw, "scratch-sized request"));
    }
    BackendStats s = backend->stats();
    CHECK_EQ(s.gdeflate_shader_decodes, 1u);  // exactly 1 MiB fits the scratch
    CHECK_EQ(s.gdeflate_cpu_decodes, 1u);
}

// A valid tile that needs more loop iterations than lavapipe allows an invocation: there the
// shader reports it unfinished and the request is decoded again on the CPU; elsewhere the shader
// decodes it. Either way the bytes arrive, and nothing hangs.
void test_unfinished_retry(Rig &rig) {
    std::vector<uint8_t> stream = dstest::one_tile_stream(many_blocks_tile(20000), 1);
    uint8_t q = 'q';
    CHECK_EQ(gd::decode(stream.data(), stream.size(), &q, 1, 1), gd::Error::Ok);
    BackendStats before = rig.shader_backend->stats();
    rig.fill(4096, 1);
    Completion c = rig.run(*rig.shader, Rig::request(stream, 1, 4096, rig.buffer));
    CHECK_EQ(c.status, Status::Ok);
    CHECK_EQ(rig.download(4096, 1).at(0), uint8_t('q'));
    BackendStats after = rig.shader_backend->stats();
    uint64_t shader = after.gdeflate_shader_decodes - before.gdeflate_shader_decodes;
    uint64_t cpu = after.gdeflate_cpu_decodes - before.gdeflate_cpu_decodes;
    CHECK_EQ(shader + cpu, 1u);
    std::printf("20000 empty blocks: decoded by the %s\n",
                cpu ? "CPU (the shader could not finish it here)" : "shader");
    rig.expected_shader_decodes += shader;
    rig.expected_cpu_decodes += cpu;
}

// Which variant of the decoder the device gets. lavapipe (subgroups of 4 to 16 lanes, by its
// vector width) and NVIDIA (32) have subgroup arithmetic, so they must get the subgroup scans.
void test_variant(VulkanDevice &dev) {
    VulkanBackendConfig bc = dev.backend_config();
    vk::Dispatch vk;
    std::string why = dstest::load_dispatch(bc, &vk);
    if (!CHECK(why.empty())) {
        std::fprintf(stderr, "  %s\n", why.c_str());
        return;
    }
    for (bool allow : {true, false}) {
        vk::ShaderDecoder decoder(vk, reinterpret_cast<VkPhysicalDevice>(bc.physical_device),
                                  reinterpret_cast<VkDevice>(bc.device), 1u << 20, 1, allow);
        if (!CHECK(decoder.ready()))
            std::fprintf(stderr, "  %s\n", decoder.why().c_str());
        const std::string name = dev.device_name();
        const bool known = name.rfind("llvmpipe", 0) == 0 || name.rfind("NVIDIA", 0) == 0;
        if (allow)
            std::printf("decoder variant: %s\n", decoder.subgroup_scan() ? "subgroup scans" : "shared-memory sums");
        if (!allow || known)
            CHECK_EQ(decoder.subgroup_scan(), allow);
    }
}

void test_counts(Rig &rig) {
    BackendStats s = rig.shader_backend->stats();
    std::printf("shader path: %llu shader decodes (expected %llu), %llu CPU, %llu NV\n",
                static_cast<unsigned long long>(s.gdeflate_shader_decodes),
                static_cast<unsigned long long>(rig.expected_shader_decodes),
                static_cast<unsigned long long>(s.gdeflate_cpu_decodes),
                static_cast<unsigned long long>(s.gdeflate_gpu_decodes));
    CHECK_EQ(s.gdeflate_shader_decodes, rig.expected_shader_decodes);
    CHECK_EQ(s.gdeflate_cpu_decodes, rig.expected_cpu_decodes);
    CHECK_EQ(s.gdeflate_gpu_decodes, 0u);
    // Direct output needs shader copies' promise (device addresses); without it, or switched off,
    // every decode is copied from scratch.
    const bool direct = rig.direct_output && rig.dev.backend_config().shader_copies;
    std::printf("  %llu written out by the shader itself\n", static_cast<unsigned long long>(s.shader_direct_outputs));
    if (direct)
        CHECK(s.shader_direct_outputs > 0);
    else
        CHECK_EQ(s.shader_direct_outputs, 0u);
    BackendStats c = rig.cpu_backend->stats();
    CHECK_EQ(c.gdeflate_shader_decodes, 0u);
    CHECK(c.gdeflate_cpu_decodes > 0);
}

// A second backend setup: the hand-built and damaged streams, a batch, and (far_matches) the
// matches beyond 16 KiB and long runs.
void test_other_setup(VulkanDevice &dev, const char *name, bool device_input, bool subgroups, bool direct_output,
                      bool far_matches) {
    std::printf("%s:\n", name);
    Rig rig(dev, device_input, subgroups, direct_output);
    if (!CHECK(rig.buffer != 0))
        return;
    if (far_matches)
        test_far_matches(rig);
    test_whole_words(rig);
    test_one_batch(rig);
    test_against_cpu(rig);
    test_counts(rig);
}

}  // namespace

int main(int, char **argv) {
    use_fast_malloc_unwinding(argv);
    auto dev = open_compute_device_or_skip();
    std::printf("device: %s (transfer-only queue: %s)\n", dev->device_name().c_str(),
                dev->transfer_only_queue() ? "yes" : "no");
    CHECK(!dev->transfer_only_queue());
    test_variant(*dev);
    {
        Rig rig(*dev);
        if (!CHECK(rig.buffer != 0))
            return dstest::finish("vulkan_gdeflate_shader_test");
        test_sizes_and_data(rig);
        test_whole_words(rig);
        test_every_level(rig);
        test_far_matches(rig);
        test_one_batch(rig);
        test_against_cpu(rig);
        test_unfinished_retry(rig);
        test_counts(rig);
        // Destinations at odd offsets or of sizes that are not multiples of 4 were copied from scratch.
        BackendStats s = rig.shader_backend->stats();
        CHECK(s.shader_direct_outputs < s.gdeflate_shader_decodes);
        test_scratch_limit(*dev, rig.buffer);
    }
    // The variant that sums rounds in shared memory (devices without subgroup arithmetic).
    test_other_setup(*dev, "without subgroup scans", true, false, true, true);
    // The streams read from staging across the bus (shader_input_in_device_memory off); the main
    // rig's defaults read a device-local copy, which each tile makes of its own bytes where the
    // device has shader copies (direct output).
    test_other_setup(*dev, "streams read from staging", false, true, true, false);
    // The variant with bindings (shader_direct_output off; devices without shader copies): every
    // decode goes to scratch, then to its destination by vkCmdCopyBuffer; the streams to device
    // memory by vkCmdCopyBuffer and the status words back by one, or read from staging.
    test_other_setup(*dev, "bytes copied from scratch", true, true, false, false);
    test_other_setup(*dev, "bytes copied from scratch, streams read from staging", false, true, false, false);
    return dstest::finish("vulkan_gdeflate_shader_test");
}
