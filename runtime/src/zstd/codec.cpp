// SPDX-License-Identifier: MIT
// ds::zstd over libzstd's streaming API. The decoder runs with ZSTD_d_stableOutBuffer: it writes
// the frame's bytes straight into the caller's buffer and keeps no window of its own, so decoding
// costs the decompression context (about 100 KiB) whatever the stream's size or window.
// ZSTD_d_stableOutBuffer is in libzstd's experimental section, which a static link may use.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include <new>

#include "ds/zstd.h"

namespace ds::zstd {
namespace {

Error map_error(size_t code) {
    switch (ZSTD_getErrorCode(code)) {
    case ZSTD_error_memory_allocation: return Error::OutOfMemory;
    case ZSTD_error_dstSize_tooSmall: return Error::OutputOverrun;
    case ZSTD_error_srcSize_wrong: return Error::Truncated;
    default: return Error::Corrupt;
    }
}

}  // namespace

bool available() { return true; }

const char *error_name(Error e) {
    switch (e) {
    case Error::Ok: return "ok";
    case Error::InvalidArgument: return "invalid argument";
    case Error::Corrupt: return "corrupt Zstandard stream";
    case Error::Truncated: return "Zstandard stream ends inside a frame";
    case Error::OutputOverrun: return "stream decodes to more bytes than the destination holds";
    case Error::OutOfMemory: return "out of memory";
    case Error::Unavailable: return "built without libzstd (DS_WITH_ZSTD=OFF)";
    }
    return "unknown error";
}

size_t compress_bound(size_t size) {
    size_t bound = ZSTD_compressBound(size);
    return ZSTD_isError(bound) ? 0 : bound;
}

Error compress(const void *src, size_t size, int level, void *dst, size_t dst_cap, size_t *written, unsigned threads) {
    if (written)
        *written = 0;
    if ((!src && size) || (!dst && dst_cap) || !written || level < 1 || level > kLevelMax)
        return Error::InvalidArgument;
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    if (!cctx)
        return Error::OutOfMemory;
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
    if (threads > 1)  // refused by a libzstd built without threads: then it compresses alone
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, static_cast<int>(threads > 64 ? 64 : threads));
    size_t r = ZSTD_compress2(cctx, dst, dst_cap, src, size);
    ZSTD_freeCCtx(cctx);
    if (ZSTD_isError(r))
        return map_error(r);
    *written = r;
    return Error::Ok;
}

struct StreamDecoder::State {
    ZSTD_DCtx *dctx = nullptr;
    ZSTD_outBuffer out{};
    Error error = Error::Ok;
    bool at_frame_end = true;  ///< the last call finished a frame (or nothing was fed yet)
    uint8_t magic[4] = {};     ///< the next frame's first bytes, held until its magic is known
    size_t magic_len = 0;
};

namespace {

// RFC 8878 frames and skippable frames only: libzstd may be built to decode pre-1.0 ("legacy")
// frames too, and decodes those differently whole than in pieces.
constexpr uint32_t kFrameMagic = 0xFD2FB528u;
constexpr uint32_t kSkippableMagicMask = 0xFFFFFFF0u, kSkippableMagic = 0x184D2A50u;

bool known_magic(const uint8_t *b) {
    uint32_t m = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
    return m == kFrameMagic || (m & kSkippableMagicMask) == kSkippableMagic;
}

}  // namespace

StreamDecoder::StreamDecoder(void *dst, size_t dst_cap) : state_(new (std::nothrow) State) {
    if (!state_)
        return;
    state_->out = ZSTD_outBuffer{dst, dst_cap, 0};
    state_->dctx = ZSTD_createDCtx();
    if (!state_->dctx) {
        state_->error = Error::OutOfMemory;
        return;
    }
    ZSTD_DCtx_setParameter(state_->dctx, ZSTD_d_stableOutBuffer, 1);
}

StreamDecoder::~StreamDecoder() {
    if (state_)
        ZSTD_freeDCtx(state_->dctx);
    delete state_;
}

Error StreamDecoder::feed(const void *piece, size_t size) {
    if (!state_)
        return Error::OutOfMemory;
    State &s = *state_;
    if (s.error != Error::Ok)
        return s.error;
    if (!piece && size)
        return s.error = Error::InvalidArgument;
    ZSTD_inBuffer in{piece, size, 0};
    while (in.pos < in.size) {
        if (s.at_frame_end) {
            // A frame starts here: its magic must be one of RFC 8878's before libzstd sees it.
            const uint8_t *bytes = static_cast<const uint8_t *>(piece);
            while (s.magic_len < sizeof(s.magic) && in.pos < in.size)
                s.magic[s.magic_len++] = bytes[in.pos++];
            if (s.magic_len < sizeof(s.magic))
                return Error::Ok;  // the rest of the magic comes with the next piece
            if (!known_magic(s.magic))
                return s.error = Error::Corrupt;
            ZSTD_inBuffer head{s.magic, sizeof(s.magic), 0};
            size_t r = ZSTD_decompressStream(s.dctx, &s.out, &head);
            if (ZSTD_isError(r))
                return s.error = map_error(r);
            s.magic_len = 0;
            s.at_frame_end = r == 0;
            continue;
        }
        size_t before_in = in.pos, before_out = s.out.pos;
        size_t r = ZSTD_decompressStream(s.dctx, &s.out, &in);
        if (ZSTD_isError(r))
            return s.error = map_error(r);
        s.at_frame_end = r == 0;
        // No progress with input left: the output is full and the frame wants more room.
        if (in.pos == before_in && s.out.pos == before_out)
            return s.error = s.out.pos == s.out.size ? Error::OutputOverrun : Error::Corrupt;
    }
    return Error::Ok;
}

Error StreamDecoder::finish(size_t *produced) {
    if (produced)
        *produced = 0;
    if (!state_)
        return Error::OutOfMemory;
    State &s = *state_;
    if (s.error != Error::Ok)
        return s.error;
    if (s.magic_len)
        return s.error = Error::Truncated;  // the input ends inside a frame's magic
    if (!s.at_frame_end) {
        // The input is all in, yet the frame is open. With a stable output buffer the decoder
        // holds no decoded bytes back (a block without room fails in feed), so the input was cut.
        ZSTD_inBuffer none{nullptr, 0, 0};
        size_t r = ZSTD_decompressStream(s.dctx, &s.out, &none);
        if (ZSTD_isError(r))
            return s.error = map_error(r);
        if (r != 0)
            return s.error = Error::Truncated;
    }
    if (produced)
        *produced = s.out.pos;
    return Error::Ok;
}

Error decompress(const void *src, size_t size, void *dst, size_t dst_cap, size_t *produced) {
    if (produced)
        *produced = 0;
    if ((!src && size) || (!dst && dst_cap) || !produced)
        return Error::InvalidArgument;
    if (size == 0)
        return Error::Truncated;  // a stream holds at least one frame
    StreamDecoder decoder(dst, dst_cap);
    Error e = decoder.feed(src, size);
    return e != Error::Ok ? e : decoder.finish(produced);
}

}  // namespace ds::zstd
