// SPDX-License-Identifier: MIT
// libFuzzer target for request validation and the queue, driven only through the C ABI
// (ds_runtime.h), the way Wine's Unix side drives it. Each input is a script:
//   header: backend (CPU or io_uring, worker count, chunk size), one or two queues (capacity
//           1..16, auto-submit on or off), and whether the file is opened with O_DIRECT;
//   then up to kMaxOps operations: enqueue a request (file, memory, GDeflate, write, or one
//   with a single deliberate defect), try_enqueue, signal, status checkpoint, submit, cancel,
//   poll, wait (bounded), info/stats, close.
// At the end every queue is submitted and drained with bounded waits. Invariants checked:
//   - every accepted entry completes exactly once, with its own user_data and kind;
//   - a signal or checkpoint arrives only after everything enqueued before it on its queue;
//   - a checkpoint reports the first failure since the previous checkpoint, or OK;
//   - a valid read completes OK (or END_OF_FILE past the end) with exactly the file's bytes;
//     a request with one defect completes with the status and field that name it;
//   - CANCELLED only for requests a cancel matched or a close overtook;
//   - a write lands its bytes; the queue's statistics agree with what was retrieved;
//   - enqueue answers QUEUE_FULL / QUEUE_CLOSED when it must, and nothing waits forever.
// A violation prints what was expected and aborts. Destinations are heap blocks of exactly the
// request's size, so ASan reports any byte written outside them.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ds_runtime.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kPlainFileSize = 96 * 1024;  // raw bytes at the start of the data file
constexpr size_t kStreamPlainSize = 40000;    // what the embedded GDeflate stream decodes to
constexpr size_t kMaxOps = 160;
constexpr size_t kMaxRequestSize = 20000;
constexpr uint64_t kWaitStepNs = 50'000'000;  // one bounded wait: 50 ms
constexpr auto kDrainDeadline = std::chrono::seconds(8);

[[noreturn]] void fail(const char *what, unsigned long long a = 0, unsigned long long b = 0) {
    std::fprintf(stderr, "queue_c_abi_fuzz: invariant broken: %s (%llu, %llu)\n", what, a, b);
    std::abort();
}

#define EXPECT(cond, what, a, b)                                                                                       \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            fail(what, (a), (b));                                                                                      \
    } while (0)

// --- fixtures shared by every input -----------------------------------------------------
struct Fixture {
    std::string dir;
    std::string data_path;
    std::vector<uint8_t> file;   // the data file's whole content: raw bytes, then a GDeflate stream
    std::vector<uint8_t> plain;  // what the stream decodes to
    size_t stream_offset = 0;
    size_t stream_size = 0;
};

Fixture *g_fixture = nullptr;  // for the exit handler that removes the files

Fixture *make_fixture() {
    auto *fx = new Fixture;
    char tmpl[] = "/tmp/ds-queue-fuzz-XXXXXX";
    if (!mkdtemp(tmpl))
        fail("mkdtemp failed", errno);
    fx->dir = tmpl;
    fx->data_path = fx->dir + "/data.bin";
    uint32_t x = 0x9e3779b9u;
    fx->file.resize(kPlainFileSize);
    for (auto &b : fx->file)
        b = uint8_t((x = x * 1664525u + 1013904223u) >> 24);
    // Compressible plain text (repeats and literals) so the stream has real Huffman blocks.
    fx->plain.resize(kStreamPlainSize);
    for (size_t i = 0; i < fx->plain.size(); ++i)
        fx->plain[i] = uint8_t("request queue slot frontier "[(i * 5 + i / 97) % 28] ^ ((i / 4099) & 1));
    std::vector<uint8_t> packed(ds_gdeflate_compress_bound(fx->plain.size()));
    size_t written = 0;
    if (ds_gdeflate_compress(fx->plain.data(), fx->plain.size(), DS_GDEFLATE_LEVEL_DEFAULT, packed.data(),
                             packed.size(), &written, 1) != DS_GDEFLATE_OK)
        fail("fixture: ds_gdeflate_compress failed");
    fx->stream_offset = fx->file.size();
    fx->stream_size = written;
    fx->file.insert(fx->file.end(), packed.begin(), packed.begin() + long(written));
    int fd = open(fx->data_path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd < 0 || write(fd, fx->file.data(), fx->file.size()) != ssize_t(fx->file.size()) || close(fd) != 0)
        fail("fixture: cannot write the data file", errno);
    g_fixture = fx;
    std::atexit([] {
        unlink(g_fixture->data_path.c_str());
        rmdir(g_fixture->dir.c_str());
    });
    return fx;
}

const Fixture &fixture() {
    static const Fixture *fx = make_fixture();
    return *fx;
}

// --- input reader: runs out into zeros ---------------------------------------------------
struct Reader {
    const uint8_t *p;
    size_t n;
    bool empty() const { return n == 0; }
    uint8_t u8() {
        if (!n)
            return 0;
        --n;
        return *p++;
    }
    uint16_t u16() { return uint16_t(u8() | u8() << 8); }
    uint32_t u32() { return uint32_t(u16()) | uint32_t(u16()) << 16; }
};

// --- what the fuzzer expects of each entry ----------------------------------------------
constexpr int kAny = -1;

struct Entry {
    uint8_t kind = DS_ENTRY_REQUEST;
    size_t queue = 0;
    size_t order = 0;  // position in its queue's enqueue order
    ds_request req{};
    std::unique_ptr<uint8_t[]> dst;  // exactly dst_len bytes
    size_t dst_len = 0;
    const uint8_t *expect = nullptr;  // the bytes a successful read must deliver
    size_t expect_len = 0;
    int want_status = kAny;  // kAny: any status; the content is still checked when OK
    int want_field = kAny;
    bool short_read_ok = false;  // END_OF_FILE with a correct prefix is right (range crosses EOF)
    bool is_write = false;
    bool cancel_matched = false;
    bool done = false;
    ds_completion got{};
};

struct QueueState {
    ds_queue *q = nullptr;
    uint32_t capacity = 0;
    bool closed = false;
    std::vector<size_t> entries;  // indices into Run::entries, in enqueue order
};

struct Run {
    const Fixture &fx = fixture();
    ds_backend *backend = nullptr;
    std::vector<QueueState> queues;
    std::vector<Entry> entries;
    int data_fd = -1;
    int write_fd = -1;
    std::string write_path;
    bool gdeflate = false;

    // ---- completions ----
    void check_order(const QueueState &qs, const Entry &e) {
        for (size_t i = 0; i < e.order; ++i)
            EXPECT(entries[qs.entries[i]].done, "a signal/checkpoint arrived before an earlier entry", e.order, i);
    }

    void check_checkpoint(const QueueState &qs, const Entry &e, const ds_completion &c) {
        size_t from = 0;
        for (size_t i = e.order; i-- > 0;)
            if (entries[qs.entries[i]].kind == DS_ENTRY_STATUS) {
                from = i + 1;
                break;
            }
        const Entry *first = nullptr;
        for (size_t i = from; i < e.order && !first; ++i) {
            const Entry &r = entries[qs.entries[i]];
            if (r.kind == DS_ENTRY_REQUEST && r.got.status != DS_STATUS_OK && r.got.status != DS_STATUS_CANCELLED)
                first = &r;
        }
        if (!first) {
            EXPECT(c.status == DS_STATUS_OK, "checkpoint reports a failure that did not happen", c.status, e.order);
            return;
        }
        EXPECT(c.status == first->got.status, "checkpoint reports the wrong status", c.status, first->got.status);
        EXPECT(c.failed_user_data == first->req.user_data, "checkpoint names the wrong request", c.failed_user_data,
               first->req.user_data);
    }

    void check_request(const QueueState &qs, Entry &e, const ds_completion &c) {
        EXPECT(c.status <= DS_STATUS_DEVICE_ERROR, "unknown status", c.status, e.req.user_data);
        if (c.status == DS_STATUS_CANCELLED) {
            EXPECT(e.cancel_matched || qs.closed, "CANCELLED without a cancel or close", e.req.user_data, 0);
            return;
        }
        if (c.status == DS_STATUS_INVALID_REQUEST)
            EXPECT(c.field != DS_FIELD_NONE, "INVALID_REQUEST without a field", e.req.user_data, 0);
        if (e.want_status != kAny) {
            bool short_ok = e.short_read_ok && c.status == DS_STATUS_END_OF_FILE;
            if (!short_ok) {
                if (c.status != e.want_status)
                    std::fprintf(stderr, "request %llu: status %s field %s error %d, expected %s\n",
                                 (unsigned long long)e.req.user_data, ds_status_name(ds_status(c.status)),
                                 ds_field_name(ds_field(c.field)), c.error, ds_status_name(ds_status(e.want_status)));
                EXPECT(c.status == e.want_status, "wrong status", c.status, e.want_status);
                if (e.want_field != kAny)
                    EXPECT(c.field == e.want_field, "wrong field", c.field, e.want_field);
            }
        }
        if (e.is_write) {
            if (c.status == DS_STATUS_OK)
                EXPECT(c.bytes == e.req.size, "a write reports the wrong byte count", c.bytes, e.req.size);
            return;
        }
        if (c.status == DS_STATUS_OK && e.expect) {
            EXPECT(c.bytes == e.expect_len, "OK with the wrong byte count", c.bytes, e.expect_len);
            EXPECT(std::memcmp(e.dst.get(), e.expect, e.expect_len) == 0, "OK with the wrong bytes", e.req.user_data,
                   e.expect_len);
        }
        if (c.status == DS_STATUS_END_OF_FILE && e.expect) {
            EXPECT(c.bytes < e.req.size, "END_OF_FILE claims a full read", c.bytes, e.req.size);
            EXPECT(c.bytes <= e.expect_len, "END_OF_FILE past the end of the file", c.bytes, e.expect_len);
            EXPECT(std::memcmp(e.dst.get(), e.expect, size_t(c.bytes)) == 0, "short read with the wrong bytes",
                   e.req.user_data, c.bytes);
        }
        if (c.status == DS_STATUS_OK && !e.expect)  // e.g. a GDeflate request whose stream was altered
            EXPECT(c.bytes <= e.dst_len, "OK with more bytes than the destination holds", c.bytes, e.dst_len);
    }

    void on_completion(size_t qi, const ds_completion &c) {
        EXPECT(c.user_data < entries.size(), "completion with a user_data nobody enqueued", c.user_data,
               entries.size());
        Entry &e = entries[c.user_data];
        QueueState &qs = queues[qi];
        EXPECT(e.queue == qi, "completion on the wrong queue", qi, e.queue);
        EXPECT(!e.done, "entry completed twice", c.user_data, e.kind);
        EXPECT(c.kind == e.kind, "completion of the wrong kind", c.kind, e.kind);
        if (e.kind != DS_ENTRY_REQUEST)
            check_order(qs, e);
        if (e.kind == DS_ENTRY_STATUS)
            check_checkpoint(qs, e, c);
        if (e.kind == DS_ENTRY_SIGNAL)
            EXPECT(c.status == DS_STATUS_OK, "signal with a status", c.status, 0);
        if (e.kind == DS_ENTRY_REQUEST)
            check_request(qs, e, c);
        e.done = true;
        e.got = c;
    }

    void poll(size_t qi, size_t max) {
        ds_completion out[8];
        size_t n = ds_queue_poll(queues[qi].q, out, max < 8 ? max : 8);
        EXPECT(n <= max, "poll returned more than asked", n, max);
        for (size_t i = 0; i < n; ++i)
            on_completion(qi, out[i]);
    }

    void wait_once(size_t qi, size_t max, uint64_t timeout_ns) {
        ds_completion out[8];
        size_t n = 0;
        ds_result r = ds_queue_wait(queues[qi].q, out, max, &n, timeout_ns);
        if (r == DS_OK)
            EXPECT(n >= 1 && n <= max, "wait returned OK with a bad count", n, max);
        else
            EXPECT(n == 0, "wait failed but returned completions", r, n);
        if (r == DS_ERR_QUEUE_CLOSED)
            EXPECT(queues[qi].closed, "wait says closed on an open queue", qi, 0);
        EXPECT(r == DS_OK || r == DS_ERR_TIMEOUT || r == DS_ERR_QUEUE_CLOSED, "wait returned an unexpected result", r,
               0);
        for (size_t i = 0; i < n; ++i)
            on_completion(qi, out[i]);
    }

    // ---- enqueue ----
    void enqueue(size_t qi, Entry e, bool use_try) {
        QueueState &qs = queues[qi];
        ds_queue_info info{};
        ds_queue_get_info(qs.q, &info);
        EXPECT(info.capacity == qs.capacity, "info reports the wrong capacity", info.capacity, qs.capacity);
        EXPECT(info.empty_slots <= qs.capacity, "more empty slots than capacity", info.empty_slots, qs.capacity);
        // A blocking enqueue on a full queue would wait for a poll this thread cannot make.
        bool full = info.empty_slots == 0;
        e.queue = qi;
        e.order = qs.entries.size();
        e.req.user_data = entries.size();
        ds_result r;
        if (e.kind == DS_ENTRY_REQUEST)
            r = (use_try || full) ? ds_queue_try_enqueue(qs.q, &e.req) : ds_queue_enqueue(qs.q, &e.req);
        else if (full && !qs.closed)
            return;  // markers have no non-blocking form
        else if (e.kind == DS_ENTRY_SIGNAL)
            r = ds_queue_enqueue_signal(qs.q, e.req.user_data);
        else
            r = ds_queue_enqueue_status(qs.q, e.req.user_data);
        if (qs.closed) {
            EXPECT(r == DS_ERR_QUEUE_CLOSED, "enqueue on a closed queue did not say so", r, 0);
            return;
        }
        if (full) {
            EXPECT(r == DS_ERR_QUEUE_FULL, "try_enqueue on a full queue did not say so", r, 0);
            return;
        }
        EXPECT(r == DS_OK, "enqueue with a free slot failed", r, 0);
        qs.entries.push_back(entries.size());
        entries.push_back(std::move(e));
    }

    Entry read_into(size_t len) {
        Entry e;
        e.dst_len = len;
        e.dst.reset(new uint8_t[len ? len : 1]);
        std::memset(e.dst.get(), 0xEE, len ? len : 1);
        e.req.dst = e.dst.get();
        e.req.fd = -1;
        return e;
    }

    size_t request_size(Reader &in) {
        uint8_t k = in.u8();
        if (k < 64)
            return 1 + k;  // tiny
        if (k < 200)
            return 1 + in.u16() % 4096;
        return 1 + in.u16() % kMaxRequestSize;
    }

    Entry file_read(Reader &in) {
        size_t size = request_size(in);
        uint64_t offset = in.u32() % (fx.file.size() + 2048);
        Entry e = read_into(size);
        e.req.fd = data_fd;
        e.req.offset = offset;
        e.req.size = size;
        if (offset >= fx.file.size()) {
            e.want_status = DS_STATUS_END_OF_FILE;
            e.expect = fx.file.data() + fx.file.size();
            e.expect_len = 0;
        } else {
            e.expect = fx.file.data() + offset;
            e.expect_len = std::min<size_t>(size, fx.file.size() - offset);
            e.want_status = e.expect_len == size ? DS_STATUS_OK : DS_STATUS_END_OF_FILE;
        }
        return e;
    }

    Entry memory_read(Reader &in) {
        size_t size = request_size(in);
        size_t offset = in.u32() % fx.file.size();
        if (size > fx.file.size() - offset)
            size = fx.file.size() - offset;
        Entry e = read_into(size);
        e.req.source = DS_SOURCE_MEMORY;
        e.req.src = fx.file.data() + offset;
        e.req.size = size;
        e.want_status = DS_STATUS_OK;
        e.expect = fx.file.data() + offset;
        e.expect_len = size;
        return e;
    }

    // A GDeflate read of the embedded stream, from the file or from memory, possibly altered:
    // truncated, with a wrong uncompressed size, or with random bytes in place of the stream.
    Entry gdeflate_read(Reader &in) {
        uint8_t how = in.u8();
        bool from_memory = how & 1;
        size_t plain = fx.plain.size();
        size_t out_len = plain;
        size_t size = fx.stream_size;
        size_t offset = fx.stream_offset;
        bool intact = true;
        switch ((how >> 1) % 6) {
        case 0:
        case 1: break;
        case 2:
            size = 1 + in.u16() % fx.stream_size;
            intact = size == fx.stream_size;
            break;  // truncated
        case 3:
            out_len = 1 + in.u16() % (plain + 8192);
            intact = out_len == plain;
            break;  // wrong size
        case 4:
            offset = in.u32() % (fx.file.size() - 64);
            size = 1 + in.u16() % (fx.file.size() - offset);
            out_len = 1 + in.u16() % 65536;
            intact = false;
            break;  // not a stream
        case 5:
            offset = fx.stream_offset + 1 + in.u8() % 64;
            size = fx.file.size() - offset;
            intact = false;
            break;
        }
        Entry e = read_into(out_len);
        e.req.compression = DS_COMPRESSION_GDEFLATE;
        e.req.size = size;
        e.req.uncompressed_size = out_len;
        if (from_memory) {
            e.req.source = DS_SOURCE_MEMORY;
            e.req.src = fx.file.data() + offset;
        } else {
            e.req.fd = data_fd;
            e.req.offset = offset;
        }
        if (!gdeflate) {
            e.want_status = DS_STATUS_UNSUPPORTED;
            e.want_field = DS_FIELD_COMPRESSION;
        } else if (intact) {
            e.want_status = DS_STATUS_OK;
            e.expect = fx.plain.data();
            e.expect_len = plain;
        }
        return e;
    }

    Entry file_write(Reader &in) {
        size_t size = 1 + in.u16() % 8192;
        size_t src = in.u32() % (fx.file.size() - size);
        Entry e;
        e.req.op = DS_OP_WRITE;
        e.req.fd = write_fd;
        e.req.offset = uint64_t(in.u16() % 4096) * 16;
        e.req.size = size;
        e.req.src = fx.file.data() + src;
        e.is_write = true;
        e.want_status = DS_STATUS_OK;
        return e;
    }

    // A valid file read with exactly one defect, and the verdict the runtime must give.
    Entry defective(Reader &in) {
        Entry e = file_read(in);
        e.expect = nullptr;
        e.short_read_ok = false;
        e.want_status = DS_STATUS_INVALID_REQUEST;
        e.req.offset = 0;
        switch (in.u8() % 14) {
        case 0:
            e.req.op = uint8_t(2 + in.u8() % 250);
            e.want_field = DS_FIELD_OP;
            break;
        case 1:
            e.req.source = uint8_t(2 + in.u8() % 250);
            e.want_field = DS_FIELD_SOURCE;
            break;
        case 2:
            e.req.memory = uint8_t(2 + in.u8() % 250);
            e.want_field = DS_FIELD_DESTINATION;
            break;
        case 3:
            e.req.size = 0;
            e.want_field = DS_FIELD_SIZE;
            break;
        case 4:
            e.req.fd = -1 - in.u8();
            e.want_field = DS_FIELD_FD;
            break;
        case 5:
            e.req.source = DS_SOURCE_MEMORY;
            e.req.src = nullptr;
            e.want_field = DS_FIELD_SOURCE;
            break;
        case 6:
            e.req.dst = nullptr;
            e.want_field = DS_FIELD_DESTINATION;
            break;
        case 7:  // a GPU destination on a backend without a device
            e.req.memory = DS_MEMORY_GPU;
            e.req.dst = nullptr;
            e.req.gpu_buffer = 1 + in.u8();
            e.req.gpu_buffer_size = 1u << 20;
            e.want_field = DS_FIELD_DESTINATION;
            break;
        case 8:
            e.req.compression = uint8_t(3 + in.u8() % 250);  // 0..2 are formats (2: Zstandard)
            e.want_field = DS_FIELD_COMPRESSION;
            break;
        case 9:
            e.req.compression = DS_COMPRESSION_GDEFLATE;
            e.req.uncompressed_size = 0;
            e.want_field = DS_FIELD_COMPRESSION;
            break;
        case 10:
            e.req.op = DS_OP_WRITE;
            e.req.source = DS_SOURCE_MEMORY;
            e.req.src = fx.file.data();
            e.req.fd = write_fd;
            e.want_field = DS_FIELD_SOURCE;
            break;
        case 11:  // an fd number that is not open: the read fails with EBADF
            e.req.fd = 1 << 20;
            e.want_status = DS_STATUS_IO_ERROR;
            break;
        case 13:  // no GACL transform above BC5
            e.req.transform = uint8_t(5 + in.u8() % 250);
            e.want_field = DS_FIELD_TRANSFORM;
            break;
        case 12:  // offsets at and past 2^63 and their overflow with the size: never data
            e.req.offset = (uint64_t(1) << 63) + in.u32() - (uint64_t(1) << 31) - (in.u8() & 1 ? 0 : 1);
            if (in.u8() & 1)
                e.req.offset = UINT64_MAX - in.u8();
            e.want_status = kAny;
            e.expect = nullptr;
            break;
        }
        return e;
    }

    // ---- whole run ----
    void cancel(size_t qi, uint64_t mask, uint64_t value) {
        QueueState &qs = queues[qi];
        uint32_t could = 0;
        for (size_t i : qs.entries) {
            Entry &e = entries[i];
            if (e.kind == DS_ENTRY_REQUEST && !e.done && (e.req.cancel_tag & mask) == value) {
                e.cancel_matched = true;
                ++could;
            }
        }
        uint32_t matched = ds_queue_cancel(qs.q, mask, value);
        EXPECT(matched <= could, "cancel matched more requests than are outstanding", matched, could);
    }

    void drain(size_t qi) {
        QueueState &qs = queues[qi];
        auto deadline = Clock::now() + kDrainDeadline;
        auto outstanding = [&] {
            size_t n = 0;
            for (size_t i : qs.entries)
                n += !entries[i].done;
            return n;
        };
        while (outstanding()) {
            if (Clock::now() > deadline) {
                for (size_t i : qs.entries)
                    if (!entries[i].done)
                        std::fprintf(stderr, "never completed: entry %zu kind %u op %u source %u size %llu\n", i,
                                     entries[i].kind, entries[i].req.op, entries[i].req.source,
                                     (unsigned long long)entries[i].req.size);
                fail("entries never completed after submit (hang)", outstanding(), qi);
            }
            wait_once(qi, 8, kWaitStepNs);
        }
    }

    void check_stats(size_t qi) {
        QueueState &qs = queues[qi];
        uint64_t requests = 0, bytes = 0, errors = 0, cancelled = 0;
        for (size_t i : qs.entries) {
            const Entry &e = entries[i];
            if (e.kind != DS_ENTRY_REQUEST)
                continue;
            ++requests;
            bytes += e.got.bytes;
            if (e.got.status == DS_STATUS_CANCELLED)
                ++cancelled;
            else if (e.got.status != DS_STATUS_OK)
                ++errors;
        }
        ds_queue_stats s{};
        ds_queue_get_stats(qs.q, &s);
        EXPECT(s.requests == requests, "stats.requests disagrees", s.requests, requests);
        EXPECT(s.bytes == bytes, "stats.bytes disagrees", s.bytes, bytes);
        EXPECT(s.errors == errors, "stats.errors disagrees", s.errors, errors);
        EXPECT(s.cancelled == cancelled, "stats.cancelled disagrees", s.cancelled, cancelled);
    }

    // Writes whose range no other write touched must be in the file byte for byte.
    void check_writes() {
        for (size_t i = 0; i < entries.size(); ++i) {
            const Entry &w = entries[i];
            if (!w.is_write || w.got.status != DS_STATUS_OK)
                continue;
            bool alone = true;
            for (size_t j = 0; j < entries.size() && alone; ++j) {
                const Entry &o = entries[j];
                if (j != i && o.is_write && o.req.offset < w.req.offset + w.req.size &&
                    w.req.offset < o.req.offset + o.req.size)
                    alone = false;
            }
            if (!alone)
                continue;
            std::vector<uint8_t> back(w.req.size);
            ssize_t got = pread(write_fd, back.data(), back.size(), off_t(w.req.offset));
            EXPECT(got == ssize_t(back.size()), "a completed write is not in the file", i, got);
            EXPECT(std::memcmp(back.data(), w.req.src, back.size()) == 0, "a completed write left other bytes", i, 0);
        }
    }

    bool setup(Reader &in) {
        uint8_t b = in.u8();
        static const uint64_t chunks[] = {0, 512, 4096, 65536};
        if (b & 1) {
            ds_io_uring_backend_desc d{};
            static const uint32_t depths[] = {0, 1, 2, 8};
            d.queue_depth = depths[(b >> 1) & 3];
            d.chunk_size = chunks[(b >> 3) & 3];
            d.bounce_buffers = (b >> 5) & 3;
            if (ds_io_uring_backend_create(&d, &backend) != DS_OK)
                backend = nullptr;  // no io_uring here (kernel, seccomp): the CPU backend below
        }
        if (!backend) {
            ds_cpu_backend_desc d{};
            d.worker_count = 1 + ((b >> 1) & 3) % 3;
            d.chunk_size = chunks[(b >> 3) & 3];
            EXPECT(ds_cpu_backend_create(&d, &backend) == DS_OK, "CPU backend creation failed", 0, 0);
        }
        EXPECT(!ds_backend_has_gpu(backend), "a host backend claims a GPU", 0, 0);
        gdeflate = ds_backend_supports_gdeflate(backend) != 0;

        ds_queue *bad = nullptr;
        ds_queue_desc zero{0, 1};
        EXPECT(ds_queue_create(backend, &zero, &bad) == DS_ERR_INVALID_ARGUMENT && !bad, "capacity 0 accepted", 0, 0);
        ds_queue_desc huge{DS_MAX_QUEUE_CAPACITY + 1 + in.u8(), 1};
        EXPECT(ds_queue_create(backend, &huge, &bad) == DS_ERR_INVALID_ARGUMENT && !bad, "capacity too large accepted",
               huge.capacity, 0);

        size_t nq = 1 + (in.u8() & 1);
        for (size_t i = 0; i < nq; ++i) {
            uint8_t c = in.u8();
            QueueState qs;
            qs.capacity = 1 + (c & 15);
            ds_queue_desc d{qs.capacity, uint32_t(c >> 4 & 1)};
            EXPECT(ds_queue_create(backend, &d, &qs.q) == DS_OK, "queue creation failed", qs.capacity, 0);
            queues.push_back(qs);
        }

        // O_DIRECT fds only with io_uring: the CPU backend reads with plain pread, which the kernel
        // refuses with EINVAL on an O_DIRECT fd unless offset, size and address are aligned
        // (found by this target; docs/building.md, "Fuzzing").
        bool direct = (in.u8() & 1) && std::strcmp(ds_backend_name(backend), "io_uring") == 0;
        int got_direct = 0;
        data_fd = direct ? ds_open_file(fx.data_path.c_str(), 1, &got_direct) : open(fx.data_path.c_str(), O_RDONLY);
        EXPECT(data_fd >= 0, "cannot open the data file", -data_fd, direct);
        write_path = fx.dir + "/write-" + std::to_string(getpid());
        write_fd = open(write_path.c_str(), O_CREAT | O_TRUNC | O_RDWR, 0600);
        EXPECT(write_fd >= 0, "cannot create the write file", errno, 0);
        return true;
    }

    void step(Reader &in) {
        uint8_t op = in.u8();
        size_t qi = (op >> 4) % queues.size();
        bool use_try = op & 0x80;
        auto tagged = [&](Entry e) {
            e.req.cancel_tag = in.u8() & 3;
            enqueue(qi, std::move(e), use_try);
        };
        switch (op & 15) {
        case 0:
        case 1: tagged(file_read(in)); break;
        case 2: tagged(memory_read(in)); break;
        case 3: tagged(gdeflate_read(in)); break;
        case 4: tagged(file_write(in)); break;
        case 5: tagged(defective(in)); break;
        case 6: {
            Entry e;
            e.kind = DS_ENTRY_SIGNAL;
            enqueue(qi, std::move(e), false);
            break;
        }
        case 7: {
            Entry e;
            e.kind = DS_ENTRY_STATUS;
            enqueue(qi, std::move(e), false);
            break;
        }
        case 8:
        case 9: ds_queue_submit(queues[qi].q); break;
        case 10: {
            uint8_t m = in.u8();
            cancel(qi, m & 3, (m >> 2) & 3);
            break;
        }
        case 11: poll(qi, 1 + in.u8() % 8); break;
        case 12: wait_once(qi, 1 + in.u8() % 8, 1'000'000); break;
        case 13: {
            ds_queue_info info{};
            ds_queue_get_info(queues[qi].q, &info);
            size_t held = 0;
            for (size_t i : queues[qi].entries)
                held += !entries[i].done;
            EXPECT(info.empty_slots + held == queues[qi].capacity, "empty slots + held entries != capacity",
                   info.empty_slots, held);
            break;
        }
        case 14:
            if (in.u8() < 64) {  // rarely: close mid-script
                queues[qi].closed = true;
                ds_queue_close(queues[qi].q);
            }
            break;
        case 15:
            ds_queue_submit(queues[qi].q);
            poll(qi, 8);
            break;
        }
    }

    void finish() {
        for (size_t qi = 0; qi < queues.size(); ++qi) {
            ds_queue_submit(queues[qi].q);
            drain(qi);
            check_stats(qi);
            queues[qi].closed = true;
            ds_queue_close(queues[qi].q);
            ds_completion c;
            size_t n = 0;
            EXPECT(ds_queue_wait(queues[qi].q, &c, 1, &n, 0) == DS_ERR_QUEUE_CLOSED && n == 0,
                   "a closed, drained queue still delivers", n, qi);
            ds_queue_destroy(queues[qi].q);
        }
        check_writes();
        ds_backend_destroy(backend);
        close(data_fd);
        close(write_fd);
        unlink(write_path.c_str());
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Reader in{data, size};
    Run run;
    run.setup(in);
    for (size_t i = 0; i < kMaxOps && !in.empty(); ++i)
        run.step(in);
    run.finish();
    return 0;
}
