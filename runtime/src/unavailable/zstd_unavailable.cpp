// SPDX-License-Identifier: MIT
// Built instead of src/zstd/ when DS_WITH_ZSTD=OFF: every entry point exists and says why it
// cannot help; backends then report no Zstandard support and the queue completes such requests
// as Unsupported. Rebuild with -DDS_WITH_ZSTD=ON (needs libzstd-dev / zstd) to enable.
#include <cerrno>

#include "ds/zstd.h"
#include "zstd/host_request.h"

namespace ds::zstd {

bool available() { return false; }

const char *error_name(Error e) { return e == Error::Ok ? "ok" : "built without libzstd (DS_WITH_ZSTD=OFF)"; }

size_t compress_bound(size_t) { return 0; }

Error compress(const void *, size_t, int, void *, size_t, size_t *written, unsigned) {
    if (written)
        *written = 0;
    return Error::Unavailable;
}

Error decompress(const void *, size_t, void *, size_t, size_t *produced) {
    if (produced)
        *produced = 0;
    return Error::Unavailable;
}

struct StreamDecoder::State {};
StreamDecoder::StreamDecoder(void *, size_t) : state_(nullptr) {}
StreamDecoder::~StreamDecoder() { delete state_; }
Error StreamDecoder::feed(const void *, size_t) { return Error::Unavailable; }
Error StreamDecoder::finish(size_t *produced) {
    if (produced)
        *produced = 0;
    return Error::Unavailable;
}

}  // namespace ds::zstd

namespace ds {

IoOutcome decode_zstd_request(const Request &, void *) {
    IoOutcome o;
    o.status = Status::Unsupported;
    return o;
}

IoOutcome run_zstd_read(const Request &req) { return decode_zstd_request(req, nullptr); }

}  // namespace ds
