// SPDX-License-Identifier: MIT
// LZ77 match finding for one tile (hash chains; greedy at low levels, one-step lazy above).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ds::gdeflate {

/// A literal (dist == 0, value in len_or_lit) or a match (len 3..258, dist 1..32768).
struct Item {
    uint16_t len_or_lit;
    uint16_t dist;
};

struct MatchParams {
    unsigned max_chain;  ///< candidates examined per position
    unsigned nice_len;   ///< stop searching at a match this long
    bool lazy;           ///< try the next position before taking a match
};

/// Parameters for levels 1..12 (the caller checks the range).
MatchParams match_params(int level);

class Matcher {
public:
    /// Appends the parse of data[0..size) (size <= 64 KiB) to `items`.
    void parse(const uint8_t *data, size_t size, const MatchParams &p, std::vector<Item> &items);

private:
    static constexpr unsigned kHashBits = 15;
    std::vector<int32_t> head_;
    std::vector<int32_t> prev_;
};

}  // namespace ds::gdeflate
