// SPDX-License-Identifier: MIT
// ds::zstd: Zstandard (RFC 8878) for DirectStorage 1.4's DSTORAGE_COMPRESSION_FORMAT_ZSTD, over
// libzstd. Decoding streams: the compressed bytes go through in bounded pieces and the decoded
// bytes land straight in the caller's buffer, which never grows past its size (docs/runtime.md,
// "Zstandard"). Built without libzstd (DS_WITH_ZSTD=OFF) every call returns Unavailable.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ds::zstd {

/// Why a call failed. Every malformed input maps to one of these; none crashes or hangs.
enum class Error : uint8_t {
    Ok = 0,
    InvalidArgument,  ///< null pointer with a non-zero size, level out of range
    Corrupt,          ///< not a Zstandard stream, or a damaged one (bad block, bad checksum, ...)
    Truncated,        ///< the input ends inside a frame
    OutputOverrun,    ///< the stream decodes to more bytes than the destination holds
    OutOfMemory,
    Unavailable,  ///< this build has no libzstd
};

const char *error_name(Error e);

/// True when this build decodes Zstandard (DS_WITH_ZSTD=ON).
bool available();

/// Levels as DSTORAGE_COMPRESSION maps them: FASTEST 1, DEFAULT 3 (zstd's own default),
/// BEST_RATIO 19 (the highest level whose window stays at 8 MiB: decoders need no more).
inline constexpr int kLevelFastest = 1;
inline constexpr int kLevelDefault = 3;
inline constexpr int kLevelBestRatio = 19;
inline constexpr int kLevelMax = 19;

/// Worst-case compressed size for `size` input bytes; 0 when it does not fit a size_t.
size_t compress_bound(size_t size);

/// One frame holding src, with its content size and a checksum. threads: 0 or 1 = the calling
/// thread only, more = libzstd's worker threads.
Error compress(const void *src, size_t size, int level, void *dst, size_t dst_cap, size_t *written, unsigned threads);

/// Decodes every frame of src (one or more, skippable frames skipped) into dst. *produced gets the
/// bytes written. A stream that ends inside a frame is Truncated; one that would write past
/// dst_cap is OutputOverrun (dst then holds unspecified bytes, none past dst_cap). libzstd may
/// use dst past *produced (up to dst_cap) as scratch: those bytes are unspecified too.
Error decompress(const void *src, size_t size, void *dst, size_t dst_cap, size_t *produced);

/// Incremental form of decompress for input that arrives in pieces (a file read in slices): feed
/// each piece in order, then finish(). Output goes to one fixed buffer given at construction.
class StreamDecoder {
public:
    StreamDecoder(void *dst, size_t dst_cap);
    ~StreamDecoder();
    StreamDecoder(const StreamDecoder &) = delete;
    StreamDecoder &operator=(const StreamDecoder &) = delete;

    /// Ok until the stream is found bad; after an error every call returns that error.
    Error feed(const void *piece, size_t size);
    /// Ok when the input ended at a frame boundary; *produced gets the bytes written.
    Error finish(size_t *produced);

private:
    struct State;
    State *state_;
};

}  // namespace ds::zstd
