// SPDX-License-Identifier: MIT
#include "gdeflate/lz77.h"

#include "gdeflate/format.h"

namespace ds::gdeflate {
namespace {

struct Match {
    unsigned len = 0;
    unsigned dist = 0;
};

inline uint32_t hash3(const uint8_t *p, unsigned bits) {
    uint32_t v = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16;
    return (v * 0x9E3779B1u) >> (32 - bits);
}

}  // namespace

MatchParams match_params(int level) {
    static constexpr MatchParams table[12] = {
        {4, 16, false},   {8, 24, false},   {16, 32, false},  {16, 32, true},    {32, 64, true},    {64, 96, true},
        {128, 128, true}, {256, 192, true}, {512, 258, true}, {1024, 258, true}, {2048, 258, true}, {4096, 258, true},
    };
    return table[level - 1];
}

void Matcher::parse(const uint8_t *data, size_t size, const MatchParams &p, std::vector<Item> &items) {
    head_.assign(size_t(1) << kHashBits, -1);
    prev_.assign(size, -1);
    size_t inserted = 0;  // positions [0, inserted) are in the chains

    auto insert_to = [&](size_t end) {
        for (; inserted < end && inserted + fmt::kMinMatch <= size; ++inserted) {
            uint32_t h = hash3(data + inserted, kHashBits);
            prev_[inserted] = head_[h];
            head_[h] = int32_t(inserted);
        }
        if (inserted < end)
            inserted = end;
    };

    auto find = [&](size_t pos) {
        Match best;
        if (pos + fmt::kMinMatch > size)
            return best;
        insert_to(pos);
        size_t limit = size - pos < fmt::kMaxMatch ? size - pos : fmt::kMaxMatch;
        int32_t cand = head_[hash3(data + pos, kHashBits)];
        for (unsigned chain = p.max_chain; cand >= 0 && chain > 0; --chain, cand = prev_[size_t(cand)]) {
            size_t dist = pos - size_t(cand);
            if (dist > fmt::kMaxDistance)
                break;
            const uint8_t *a = data + cand, *b = data + pos;
            if (a[best.len] != b[best.len] || a[0] != b[0])
                continue;
            size_t l = 0;
            while (l < limit && a[l] == b[l])
                ++l;
            if (l > best.len) {
                best.len = unsigned(l);
                best.dist = unsigned(dist);
                if (l >= p.nice_len || l == limit)
                    break;
            }
        }
        if (best.len < fmt::kMinMatch)
            best.len = 0;
        return best;
    };

    size_t pos = 0;
    while (pos < size) {
        Match m = find(pos);
        if (m.len && p.lazy && m.len < p.nice_len && pos + 1 < size) {
            Match next = find(pos + 1);
            if (next.len > m.len) {
                items.push_back({data[pos], 0});
                ++pos;
                continue;  // re-evaluated from pos (finds `next` again, cheap enough)
            }
        }
        if (m.len == 0) {
            items.push_back({data[pos], 0});
            ++pos;
            continue;
        }
        items.push_back({uint16_t(m.len), uint16_t(m.dist)});
        pos += m.len;
    }
}

}  // namespace ds::gdeflate
