// SPDX-License-Identifier: MIT
#include "gdeflate/huffman_build.h"

#include <algorithm>
#include <vector>

#include "gdeflate/format.h"

namespace ds::gdeflate {

void build_code_lengths(const uint32_t *freq, unsigned count, unsigned max_len, uint8_t *lens) {
    std::vector<std::pair<uint32_t, unsigned>> used;  // (frequency, symbol), rarest first
    for (unsigned s = 0; s < count; ++s) {
        lens[s] = 0;
        if (freq[s])
            used.emplace_back(freq[s], s);
    }
    if (used.size() < 2) {
        unsigned a = used.empty() ? 0 : used[0].second;
        lens[a] = 1;
        lens[a == 0 ? 1 : 0] = 1;
        return;
    }
    std::sort(used.begin(), used.end());
    size_t n = used.size();

    // Huffman tree by the two-queue method: leaves in order, internal nodes created in order.
    std::vector<uint64_t> weight(2 * n - 1);
    std::vector<size_t> parent(2 * n - 1, 0);
    for (size_t i = 0; i < n; ++i)
        weight[i] = used[i].first;
    size_t leaf = 0, inner = n;
    auto pick = [&](size_t made) {
        if (leaf < n && (inner >= made || weight[leaf] <= weight[inner]))
            return leaf++;
        return inner++;
    };
    for (size_t k = n; k < 2 * n - 1; ++k) {
        size_t a = pick(k), b = pick(k);
        weight[k] = weight[a] + weight[b];
        parent[a] = parent[b] = k;
    }
    std::vector<unsigned> depth(2 * n - 1, 0);
    std::vector<unsigned> len_count(std::max<size_t>(2 * n, max_len + 1), 0);
    for (size_t k = 2 * n - 1; k-- > 0;) {
        if (k != 2 * n - 2)
            depth[k] = depth[parent[k]] + 1;
        if (k < n)
            ++len_count[depth[k]];
    }

    // Limit the depth: move pairs of leaves up from the deepest level (JPEG Annex K.3 style),
    // which keeps the code complete.
    for (size_t l = len_count.size() - 1; l > max_len; --l) {
        while (len_count[l] > 0) {
            size_t j = l - 2;
            while (len_count[j] == 0)
                --j;
            len_count[l] -= 2;
            ++len_count[l - 1];
            len_count[j + 1] += 2;
            --len_count[j];
        }
    }

    // Shortest lengths to the most frequent symbols.
    size_t next = n;
    for (unsigned l = 1; l <= max_len; ++l)
        for (unsigned c = 0; c < len_count[l]; ++c)
            lens[used[--next].second] = uint8_t(l);
}

void build_codes(const uint8_t *lens, unsigned count, uint16_t *codes) {
    unsigned len_count[fmt::kMaxCodeLen + 1] = {};
    for (unsigned s = 0; s < count; ++s)
        ++len_count[lens[s]];
    len_count[0] = 0;
    uint32_t next[fmt::kMaxCodeLen + 1] = {};
    uint32_t code = 0;
    for (unsigned l = 1; l <= fmt::kMaxCodeLen; ++l) {
        next[l] = code;
        code = (code + len_count[l]) << 1;
    }
    for (unsigned s = 0; s < count; ++s) {
        unsigned l = lens[s];
        uint32_t c = l ? next[l]++ : 0, r = 0;
        for (unsigned i = 0; i < l; ++i, c >>= 1)
            r = (r << 1) | (c & 1);
        codes[s] = uint16_t(r);
    }
}

}  // namespace ds::gdeflate
