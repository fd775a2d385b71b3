// SPDX-License-Identifier: MIT
// GDeflate tile decoder for the Vulkan backend (docs/gdeflate.md, "GPU compute shader").
//
// One workgroup of 32 invocations decodes one 64 KiB tile; invocation n is lane n of the format
// and owns that lane's bit buffer. The 32-lane schedule is the CPU decoder's
// (runtime/src/gdeflate/tile_decoder.cpp, lane_reader.h), run a round of up to 32 turns at a
// time: every lane decodes its symbol at once, then prefix sums over the lanes in turn order give
// what the serial decoder computes turn by turn (which word each refill takes, where each byte
// goes, which turns an end-of-block cancels). Stored blocks go 128 bytes a group. A round's short
// matches whose source is final are copied at once, one per invocation, the rest one after the
// other, each spread over the 32 invocations a word each. The bytes produced and the streams
// rejected are the CPU decoder's.
//
// Binding 0: the request's staging span: the whole tile stream (header, tile table, tile data),
//            then, from word `status_word`, one status word per tile, written here.
// Binding 1: the request's span of the backend's device-local scratch buffer: tile t zeroes and
//            then writes bytes [t * 64 KiB, t * 64 KiB + its size), literals by atomicOr (several
//            invocations fill one word), runs of whole words by plain stores. The backend copies
//            it to the destination.
//
// DS_DIRECT_OUTPUT (the build's variants for devices with buffer device addresses, where the
// callers' buffers have device-address usage): no bindings; everything is a device address.
// - Output at `out_address`: the destination itself for a request whose offset and size are
//   multiples of 4 (every word of it is the request's own, so zeroing and ORing touch no
//   neighbour), else a range of scratch as above. Requests decoded in place need no scratch and
//   no copy: nothing after the dispatches holds back the next batch.
// - Input at `in_address`: the stream in staging, read across the bus; or, with `prefetch_from`
//   (the stream in staging), a device-local copy that each tile makes of its own bytes first, in
//   coalesced loads, and then decodes from. Tile t's copy lies t words after its place in the
//   stream, so neighbouring tiles never write the same word (the request's span has a word per
//   tile of room after the stream: where the status words go in staging).
// - Status words at `status` (in staging) instead of binding 0.
// (docs/vulkan-backend.md, "Direct output".)
//
// Safety: every input read is inside the tile's range (bytes past it read as zero "phantom" bits,
// and consuming one fails), every output write is checked against the tile's size before it is
// made, and every loop ends: each round consumes input bits or output space, and rounds are also
// counted against a bound no valid tile reaches. Status values are ds::gdeflate::Error numbers
// (0 = Ok) for corrupt data, 256 and up for "not decoded here" (the backend then decodes the
// request on the CPU); runtime/src/vulkan/gdeflate_shader.h mirrors them.
//
// Loops: lavapipe (Mesa's llvmpipe) ends every loop of an invocation once 65535 loop iterations
// have run in total. Rounds keep a tile far below that (about 2100 iterations for 64 KiB of
// literals, 512 more to zero the tile's output); prefix sums, symbol decoding and the copies of
// short matches are unrolled. Every loop checks afterwards that it
// finished, so a driver limit shows up as kStatusLoopLimit, never as wrong bytes.
#version 450
#extension GL_KHR_memory_scope_semantics : require
// DS_SUBGROUP_SCAN (the build's second module, for devices with subgroup arithmetic): the sums
// of a round that starts at lane 0 come from subgroup scans; where the workgroup is one subgroup
// (32 lanes or more: NVIDIA, AMD) without shared memory or a barrier, otherwise (lavapipe: 4, 8
// or 16 lanes) with one barrier to add up the subgroups' totals.
#ifdef DS_SUBGROUP_SCAN
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
#ifdef DS_DIRECT_OUTPUT
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_buffer_reference_uvec2 : require
#endif

layout(local_size_x = 32) in;

#ifdef DS_DIRECT_OUTPUT
layout(buffer_reference, std430, buffer_reference_align = 4) coherent buffer Output { uint words[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) coherent buffer Input { uint words[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Staged { uint words[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) writeonly buffer Statuses { uint words[]; };
Output g_output;  // main() points it at job.out_address
Input g_input;    // and this at job.in_address (prefetching: at tile t's copy)
#define out_words g_output.words
#define packed_words g_input.words
#else
layout(std430, set = 0, binding = 0) restrict buffer Packed { uint packed_words[]; };
layout(std430, set = 0, binding = 1) coherent restrict buffer Output { uint out_words[]; };
#endif

layout(push_constant) uniform Job {
    uint tiles;              // tiles in the stream (checked against the header on the CPU)
    uint packed_size;        // bytes of the stream at the start of binding 0
    uint uncompressed_size;  // bytes the stream decodes to
    uint status_word;        // word index in binding 0 of tile 0's status
#ifdef DS_DIRECT_OUTPUT
    uvec2 out_address;       // device address of the request's first output byte, a multiple of 4
    uvec2 status;            // device address of tile 0's status word (replaces status_word)
    uvec2 in_address;        // device address of the stream (or where the tiles copy it to)
    uvec2 prefetch_from;     // 0, or the stream in staging: the tiles copy their bytes first
#endif
} job;

const uint kOk = 0u;
const uint kTruncated = 2u;
const uint kBadTileTable = 4u;
const uint kBadBlockType = 5u;
const uint kBadHuffmanCode = 6u;
const uint kBadDistance = 7u;
const uint kOutputOverrun = 8u;
const uint kSizeMismatch = 9u;
const uint kStatusTurnLimit = 256u;  // more rounds than any valid tile needs
const uint kStatusLoopLimit = 257u;  // a loop stopped early (the driver's iteration limit)
const uint kStatusSubgroups = 258u;  // DS_SUBGROUP_SCAN: subgroups do not hold the lanes in order

const uint kTileSize = 65536u;
const uint kNone = 0xFFFFFFFFu;

const uint kPrecodeOrder[19] = uint[](16u, 17u, 18u, 0u, 8u, 7u, 9u, 6u, 10u, 5u, 11u, 4u, 12u, 3u, 13u, 2u, 14u, 1u, 15u);
const uint kLengthBase[31] = uint[](3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 13u, 15u, 17u, 19u, 23u, 27u, 31u, 35u, 43u, 51u,
                                    59u, 67u, 83u, 99u, 115u, 131u, 163u, 195u, 227u, 3u, 3u, 3u);
const uint kLengthExtra[31] = uint[](0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 1u, 1u, 1u, 1u, 2u, 2u, 2u, 2u, 3u, 3u, 3u, 3u, 4u, 4u,
                                     4u, 4u, 5u, 5u, 5u, 5u, 16u, 16u, 16u);
const uint kDistBase[32] = uint[](1u, 2u, 3u, 4u, 5u, 7u, 9u, 13u, 17u, 25u, 33u, 49u, 65u, 97u, 129u, 193u, 257u, 385u,
                                  513u, 769u, 1025u, 1537u, 2049u, 3073u, 4097u, 6145u, 8193u, 12289u, 16385u, 24577u,
                                  32769u, 49153u);
const uint kDistExtra[32] = uint[](0u, 0u, 0u, 0u, 1u, 1u, 2u, 2u, 3u, 3u, 4u, 4u, 5u, 5u, 6u, 6u, 7u, 7u, 8u, 8u, 9u, 9u,
                                   10u, 10u, 11u, 11u, 12u, 12u, 13u, 13u, 14u, 14u);

#define REPEAT31(M) M(0u) M(1u) M(2u) M(3u) M(4u) M(5u) M(6u) M(7u) M(8u) M(9u) M(10u) M(11u) M(12u) M(13u) M(14u) \
    M(15u) M(16u) M(17u) M(18u) M(19u) M(20u) M(21u) M(22u) M(23u) M(24u) M(25u) M(26u) M(27u) M(28u) M(29u) M(30u)

// ---- workgroup state. Written by one invocation (or by all with the same value), read by all
// after a barrier, so every decision taken from it is uniform. ----
shared uint s_status;       // first error, 0 while none
shared uint s_next_word;    // the tile's next 32-bit word: the next refill takes it
shared uint s_out;          // output bytes produced or reserved by matches
shared uint s_rounds;
shared uint s_final;
shared uint s_type;
shared uint s_stored_len;
shared uint s_num_litlen;
shared uint s_num_dist;
shared uint s_num_precode;
shared uint s_fixed;        // 1: tables 0 and 1 hold the fixed codes
shared uint s_drain_start;  // lane whose turn comes first after end-of-block
shared uint s_round_end;    // 1: the Huffman round ended with end-of-block
shared uint s_cl_index;     // code lengths read so far
shared uint s_cl_last;      // the last code length written (for repeat code 16)
shared uint s_ncopies;
shared uvec4 s_pub[32];     // per lane: what its turn produced (summed in turn order)
shared uvec2 s_subgroup_sum[32];  // DS_SUBGROUP_SCAN with several subgroups: each one's total
shared uint s_val[32];
shared uint s_group[64];   // stored groups: each lane's low 32 bits, two groups (stored_groups)
shared uvec4 s_total;       // the round's sums, written by its last turn
shared uint s_total_val;
shared uint s_copy_pos[32]; // the round's match copies, in turn order
shared uint s_copy_len[32];
shared uint s_copy_dist[32];

// Canonical Huffman tables: 0 = literal/length, 1 = distance, 2 = precode. A code of length L is
// found by comparing the next 15 bits, first bit as the most significant, with s_limit[L]: the
// left-justified end of the codes of length <= L.
const uint kSymStart[3] = uint[](0u, 288u, 320u);
shared uint s_limit[48];
shared int s_base[48];      // sorted index of a length-L code = its value + s_base[L]
shared uint s_single[3];    // kNone, or the symbol every input decodes to with length 1
shared uint s_syms[339];    // symbols sorted by (length, value), per table from kSymStart
// Code lengths: 0..457 literal/length then distance lengths (room for a repeat that runs past
// the end), 460..478 precode lengths.
const uint kPrecodeLens = 460u;
shared uint s_lens[480];

// ---- this invocation's lane ----
uint lane;
uint lo;            // bit buffer: up to 63 bits, lo = bits 0..31, hi = bits 32..62
uint hi;
uint nbits;
uint phantom;       // how many of the top bits of the buffer lie past the tile's end
bool trunc;         // consumed a phantom bit
uint save_lo;
uint save_hi;
uint save_nbits;
bool save_trunc;
bool pend;          // a length was read: the lane's next turn reads its distance and copies
uint pend_len;
uint pend_pos;

uint in_base;       // byte offset of the tile in binding 0
uint in_size;
uint out_base;      // byte offset of the tile in binding 1 (the output: a multiple of 64 KiB)
uint out_cap;       // the tile's size

// Any invocation may fail the tile; the first status stays (racing writers all write non-zero).
void fail(uint status) {
    if (s_status == 0u)
        s_status = status;
}

// Workgroup execution barrier that also orders this workgroup's shared and buffer memory: what one
// invocation wrote before it, the others see after it. Workgroup scope is all the decoder needs
// (device-scope fences, memoryBarrierBuffer(), cost far more and protect nothing more here).
void sync() {
    controlBarrier(gl_ScopeWorkgroup, gl_ScopeWorkgroup, gl_StorageSemanticsBuffer | gl_StorageSemanticsShared,
                   gl_SemanticsAcquireRelease);
}

// `avail` (1..4) bytes at byte offset `at` of binding 0, little-endian, zero above them.
uint load_bytes(uint at, uint avail) {
    uint word = at >> 2u;
    uint shift = (at & 3u) * 8u;
    uint v = packed_words[word] >> shift;
    if (shift != 0u && avail > 4u - (at & 3u))
        v |= packed_words[word + 1u] << (32u - shift);
    if (avail < 4u)
        v &= (1u << (avail * 8u)) - 1u;
    return v;
}

// The lane holds fewer than 32 bits: append word k of the tile (phantom bits past its end).
void refill(uint k) {
    uint word = 0u;
    uint real = 0u;
    if (k < (in_size + 3u) / 4u) {
        uint at = 4u * k;
        uint n = min(in_size - at, 4u);
        word = load_bytes(in_base + at, n);
        real = n * 8u;
    }
    lo |= word << nbits;
    hi = nbits == 0u ? 0u : word >> (32u - nbits);
    nbits += 32u;
    phantom += 32u - real;
}

uint peek(uint n) { return lo & ((1u << n) - 1u); }  // n <= 16

bool skip(uint n) {  // n <= 16
    if (n > nbits - phantom) {
        trunc = true;
        return false;
    }
    if (n != 0u) {
        lo = (lo >> n) | (hi << (32u - n));
        hi >>= n;
        nbits -= n;
    }
    return true;
}

uint take(uint n) {
    uint v = peek(n);
    return skip(n) ? v : 0u;
}

void save() {
    save_lo = lo;
    save_hi = hi;
    save_nbits = nbits;
    save_trunc = trunc;
}

void restore() {
    lo = save_lo;
    hi = save_hi;
    nbits = save_nbits;
    trunc = save_trunc;
}

// Lane 0 alone (block headers): a refill point outside a round.
void ensure_serial() {
    if (nbits < 32u) {
        refill(s_next_word);
        s_next_word += 1u;
    }
}

// Sums of s_pub over the turns before `order` in a round whose first turn is lane `start`.
uvec4 pub_before(uint start, uint order) {
    uvec4 sum = uvec4(0u);
#define PUB_STEP(K) if (K < order) sum += s_pub[(start + K) & 31u];
    REPEAT31(PUB_STEP)
#undef PUB_STEP
    return sum;
}

// What this lane's turn produced (`mine`: bytes or a count, then three flags of 0 or 1) goes to
// s_pub[lane]; returns the sums over the turns before this lane's in a round whose first turn is
// lane `start` (this lane's turn is the `order`-th). Every lane calls it, in uniform control flow.
uvec4 publish_turn(uvec4 mine, uint start, uint order) {
    s_pub[lane] = mine;
#ifdef DS_SUBGROUP_SCAN
    if (start == 0u) {
        // Lane order is turn order. The flags' sums stay below 256, so they share a word.
        uvec2 packed = uvec2(mine.x, mine.y | (mine.z << 8u) | (mine.w << 16u));
        uvec2 before = subgroupExclusiveAdd(packed);
        if (gl_NumSubgroups > 1u) {
            uvec2 total = subgroupAdd(packed);
            if (subgroupElect())
                s_subgroup_sum[gl_SubgroupID] = total;
            sync();
            // Unrolled (lavapipe counts loop iterations): at most 7 earlier subgroups of 4 lanes or more.
#define SUBGROUP_STEP(K) if (K < gl_SubgroupID) before += s_subgroup_sum[K];
            SUBGROUP_STEP(0u) SUBGROUP_STEP(1u) SUBGROUP_STEP(2u) SUBGROUP_STEP(3u) SUBGROUP_STEP(4u) SUBGROUP_STEP(5u)
            SUBGROUP_STEP(6u)
#undef SUBGROUP_STEP
        }
        return uvec4(before.x, before.y & 0xFFu, (before.y >> 8u) & 0xFFu, before.y >> 16u);
    }
#endif
    sync();
    return pub_before(start, order);
}

uint decode(uint t) {
    if (s_single[t] != kNone) {
        skip(1u);
        return s_single[t];
    }
    uint rev = bitfieldReverse(lo) >> 17u;
    uint b = t * 16u;
    uint l = 1u;  // 1 + the number of limits at or below rev: the code's length
#define LEN_STEP(L) l += rev >= s_limit[b + L] ? 1u : 0u;
    LEN_STEP(1u) LEN_STEP(2u) LEN_STEP(3u) LEN_STEP(4u) LEN_STEP(5u) LEN_STEP(6u) LEN_STEP(7u)
    LEN_STEP(8u) LEN_STEP(9u) LEN_STEP(10u) LEN_STEP(11u) LEN_STEP(12u) LEN_STEP(13u) LEN_STEP(14u)
#undef LEN_STEP
    uint index = uint(int(rev >> (15u - l)) + s_base[b + l]);
    skip(l);
    return s_syms[min(kSymStart[t] + index, 338u)];  // index < the table's size for every code it accepted
}

// Lane 0 alone. Same acceptance rules as build_decode_table (huffman_decode.cpp): over-long,
// over-subscribed and incomplete codes fail, except no code at all (decodes symbol 0) and one
// code of length 1. Returns false on failure, or when a loop was cut short (sets the status).
bool build_table(uint t, uint start, uint count, uint max_len) {
    uint cnt[16];
    for (uint l = 0u; l < 16u; ++l)
        cnt[l] = 0u;
    uint longest = 0u;
    uint s = 0u;
    for (; s < count; ++s) {
        uint l = s_lens[start + s];
        if (l > max_len)
            return false;
        cnt[l] += 1u;
        longest = max(longest, l);
    }
    if (s != count) {
        fail(kStatusLoopLimit);
        return false;
    }
    s_single[t] = kNone;
    if (longest == 0u) {
        s_single[t] = 0u;
        return true;
    }
    uint used = 0u;
    for (uint l = 1u; l <= longest; ++l)
        used += cnt[l] << (longest - l);
    uint space = 1u << longest;
    if (used > space)
        return false;
    if (used < space) {
        if (longest != 1u || cnt[1] != 1u)
            return false;
        for (s = 0u; s < count; ++s)
            if (s_lens[start + s] == 1u)
                s_single[t] = s;
        return true;
    }
    uint next[16];
    uint code = 0u;
    uint index = 0u;
    for (uint l = 1u; l < 16u; ++l) {
        if (l <= longest) {
            s_limit[t * 16u + l] = (code + cnt[l]) << (15u - l);
            s_base[t * 16u + l] = int(index) - int(code);
            next[l] = index;
            index += cnt[l];
            code = (code + cnt[l]) << 1u;
        } else {
            s_limit[t * 16u + l] = 32768u;
            s_base[t * 16u + l] = 0;
        }
    }
    for (s = 0u; s < count; ++s) {
        uint l = s_lens[start + s];
        if (l != 0u) {
            s_syms[kSymStart[t] + next[l]] = s;
            next[l] += 1u;
        }
    }
    if (s != count) {
        fail(kStatusLoopLimit);
        return false;
    }
    return true;
}

void fixed_tables() {  // lane 0 alone
    for (uint s = 0u; s < 288u; ++s)
        s_lens[s] = s < 144u ? 8u : s < 256u ? 9u : s < 280u ? 7u : 8u;
    for (uint s = 0u; s < 32u; ++s)
        s_lens[288u + s] = 5u;
    if (build_table(0u, 0u, 288u, 15u) && build_table(1u, 288u, 32u, 15u))
        s_fixed = 1u;
    else
        fail(kStatusLoopLimit);  // the fixed codes are valid: only a cut loop fails them
}

// ---- output: bytes of this tile's part of binding 1 (zeroed by main() first) ----
void put_byte(uint pos, uint b) {
    uint at = out_base + pos;
    atomicOr(out_words[at >> 2u], b << ((at & 3u) * 8u));
}

uint get_byte(uint pos) {
    uint at = out_base + pos;
    return (out_words[at >> 2u] >> ((at & 3u) * 8u)) & 0xFFu;
}

// Byte `b` of a match at `pos`: an overlapping match (distance < length) repeats its first
// `dist` bytes, so every byte comes from before `pos`, which is final when the match is copied.
uint match_byte(uint pos, uint dist, uint b) { return get_byte(pos - dist + (b < dist ? b : b % dist)); }

// Four bytes of binding 1 from byte offset `at`, little-endian.
uint out_bytes4(uint at) {
    uint shift = (at & 3u) * 8u;
    uint v = out_words[at >> 2u] >> shift;
    if (shift != 0u)
        v |= out_words[(at >> 2u) + 1u] << (32u - shift);
    return v;
}

// Word `word` of binding 1, which holds bytes of the match [pos, pos + len) of this tile: written
// whole where the match covers it, ORed where it shares the word with other bytes.
void copy_word(uint word, uint pos, uint len, uint dist) {
    uint first = word * 4u;  // byte offsets in binding 1
    uint at = out_base + pos;
    if (first >= at && first + 4u <= at + len) {
        // The whole word is the match's: its bytes b..b+3. Where their sources do not wrap
        // around the repeated first `dist` bytes, they are 4 bytes in a row.
        uint b = first - at;
        uint from = b < dist ? b : b % dist;
        uint v;
        if (from + 4u <= dist) {
            v = out_bytes4(out_base + pos - dist + from);
        } else {
            v = 0u;
#define WRAP_STEP(J) v |= get_byte(pos - dist + (from + J) % dist) << (J * 8u);
            WRAP_STEP(0u) WRAP_STEP(1u) WRAP_STEP(2u) WRAP_STEP(3u)
#undef WRAP_STEP
        }
        out_words[word] = v;
        return;
    }
    uint v = 0u;
    // Unrolled: lavapipe counts loop iterations.
#define COPY_STEP(J) if (first + J >= at && first + J < at + len) v |= match_byte(pos, dist, first + J - at) << (J * 8u);
    COPY_STEP(0u) COPY_STEP(1u) COPY_STEP(2u) COPY_STEP(3u)
#undef COPY_STEP
    atomicOr(out_words[word], v);
}

// A match of at most 32 bytes, copied by this invocation alone: its words (at most 9).
void copy_short(uint pos, uint len, uint dist) {
    uint at = out_base + pos;
    uint word = at >> 2u;
    uint words = ((at + len + 3u) >> 2u) - word;
#define SHORT_STEP(W) if (W < words) copy_word(word + W, pos, len, dist);
    SHORT_STEP(0u) SHORT_STEP(1u) SHORT_STEP(2u) SHORT_STEP(3u) SHORT_STEP(4u) SHORT_STEP(5u) SHORT_STEP(6u)
    SHORT_STEP(7u) SHORT_STEP(8u)
#undef SHORT_STEP
}

// The round's matches. A Huffman round's matches lie in turn order, so none is before the first
// one's position, and every byte before that is final. With `independent_first`, the matches of
// at most 32 bytes whose source ends there are copied first, all at once, one per invocation:
// no match of the round can change their source. The rest are copied one after the other (a
// match may copy bytes the one before it wrote), up to 32 words of one match per step, a word
// per invocation: the bytes of one match are independent of each other, so only the last step of
// a match ends with a barrier. One loop for all of it: lavapipe counts loop iterations, not work.
void run_copies(bool independent_first) {
    uint n = s_status == 0u ? s_ncopies : 0u;
    if (independent_first && n > 1u) {
        uint round_start = s_copy_pos[0];
        if (lane < n) {
            uint pos = s_copy_pos[lane];
            uint len = s_copy_len[lane];
            uint dist = s_copy_dist[lane];
            if (len <= 32u && pos - dist + min(len, dist) <= round_start) {
                copy_short(pos, len, dist);
                s_copy_len[lane] = 0u;  // done
            }
        }
        sync();
    }
    uint k = 0u;      // the match being copied
    uint first = 0u;  // its first word in this step, counted from the match's first word
    while (k < n) {
        uint pos = s_copy_pos[k];
        uint len = s_copy_len[k];
        uint at = out_base + pos;
        uint words = len == 0u ? 0u : ((at + len + 3u) >> 2u) - (at >> 2u);
        uint w = first + lane;
        if (w < words)
            copy_word((at >> 2u) + w, pos, len, s_copy_dist[k]);
        first += 32u;
        if (first >= words) {
            k += 1u;
            first = 0u;
            if (words != 0u)
                sync();
        }
    }
    if (k < n)
        fail(kStatusLoopLimit);
    sync();
}

// ---- rounds ----

// Lane 0 alone: block header (BFINAL, BTYPE, refill point), plus LEN (stored) or HLIT, HDIST,
// HCLEN and a refill point (dynamic).
void block_header() {
    uint final_block = take(1u);
    uint type = take(2u);
    ensure_serial();
    s_final = final_block;
    s_type = type;
    if (trunc) {
        fail(kTruncated);
    } else if (type == 0u) {
        uint len = take(16u);
        if (trunc)
            fail(kTruncated);
        else if (len > out_cap - s_out)
            fail(kOutputOverrun);
        s_stored_len = len;
    } else if (type == 2u) {
        s_fixed = 0u;
        s_num_litlen = take(5u) + 257u;
        s_num_dist = take(5u) + 1u;
        s_num_precode = take(4u) + 4u;
        ensure_serial();  // a truncated header fails after the precode lengths, as on the CPU
    } else if (type == 3u) {
        fail(kBadBlockType);
    }
}

// Stored bytes base, base + 32, ... below `until`, a round of 32 turns at a time: byte j is lane
// j % 32's turn (byte 0 continues lane 0's header turn). Returns the first byte not done.
uint stored_turns(uint len, uint base, uint until) {
    for (; base < until; base += 32u) {
        uint j = base + lane;
        bool taken = j < len;
        uint need = 0u;
        if (taken) {
            put_byte(s_out + j, take(8u));
            need = nbits < 32u ? 1u : 0u;
        }
        uvec4 before = publish_turn(uvec4(0u, need, 0u, 0u), 0u, lane);
        if (taken) {
            if (trunc)
                fail(kTruncated);
            if (need != 0u)
                refill(s_next_word + before.y);
            if (j + 1u == len || lane == 31u)
                s_total = before + s_pub[lane];
        }
        sync();
        if (lane == 0u) {
            s_next_word += s_total.y;
            s_rounds += 1u;
        }
        sync();
        if (s_status != 0u)
            break;
    }
    return base;
}

// Byte `i` (0..127) of a stored group: byte i / 32 of lane i % 32's low 32 bits, in s_group[buf..].
uint group_byte(uint buf, uint i) { return (s_group[buf + (i & 31u)] >> ((i >> 5u) * 8u)) & 0xFFu; }

// Bytes 4m..4m+3 of a stored group as one word (m in 0..31).
uint group_word(uint buf, uint m) {
    uint first = 4u * m;
    return group_byte(buf, first) | (group_byte(buf, first + 1u) << 8u) | (group_byte(buf, first + 2u) << 16u) |
           (group_byte(buf, first + 3u) << 24u);
}

// Stored bytes 128 at a time, from byte `base` (a multiple of 32, lane 0's turn next, every lane
// holding 32..63 bits, as after any whole round). Four rounds of 32 turns hand out each lane's low
// 32 bits, and each lane takes exactly one word, after the turn that leaves it below 32 bits; its
// bit count ends where it began. So the order of the 32 words (by turn, then by lane) is the same
// in every group: it is worked out once. Only while the group's words are whole words of the tile
// (no phantom bits, nothing can be truncated) and the block has 128 bytes left. One barrier a
// group: s_group is double-buffered. Returns the first byte not done.
uint stored_groups(uint len, uint base) {
    uint whole_words = in_size / 4u;
    uint words_left = whole_words > s_next_word ? whole_words - s_next_word : 0u;
    uint groups = min((len > base ? len - base : 0u) / 128u, words_left / 32u);
    if (groups == 0u)
        return base;
    uint key = ((nbits - 32u) >> 3u) * 32u + lane;  // this lane's refill: after turn key / 32, in lane order
    s_val[lane] = key;
    sync();
    uint rank = s_val[31u] < key ? 1u : 0u;
#define RANK_STEP(K) rank += s_val[K] < key ? 1u : 0u;
    REPEAT31(RANK_STEP)
#undef RANK_STEP
    uint word_at = in_base + 4u * (s_next_word + rank);
    uint start = out_base + s_out + base;  // the first group's first byte in binding 1
    uint shift = (start & 3u) * 8u;
    uint r = nbits - 32u;
    uint g = 0u;
    for (; g < groups; ++g) {
        uint buf = (g & 1u) * 32u;
        s_group[buf + lane] = lo;
        uint word = load_bytes(word_at + 128u * g, 4u);
        lo = hi | (word << r);
        hi = r == 0u ? 0u : word >> (32u - r);
        sync();
        uint dest = ((start + 128u * g) >> 2u) + lane;
        uint w = group_word(buf, lane);
        if (shift == 0u) {
            out_words[dest] = w;
        } else {
            // Destination word m holds the group's bytes 4m - shift/8 ..: parts of words m - 1
            // and m. The first and the one past the last are shared with other bytes: OR them.
            uint low = w << shift;
            if (lane == 0u)
                atomicOr(out_words[dest], low);
            else
                out_words[dest] = low | (group_word(buf, lane - 1u) >> (32u - shift));
            if (lane == 31u)
                atomicOr(out_words[dest + 1u], w >> (32u - shift));
        }
    }
    sync();
    if (lane == 0u) {
        if (g < groups)
            fail(kStatusLoopLimit);
        s_next_word += 32u * groups;
        s_rounds += 4u * groups;
    }
    sync();
    return base + 128u * groups;
}

// Stored: one round turn by turn (the header may have left lane 0 below 32 bits), then groups of
// 128 bytes while the input lasts, then the rest turn by turn.
void stored_rounds() {
    uint len = s_stored_len;
    uint base = stored_turns(len, 0u, min(len, 32u));
    if (s_status == 0u && base == 32u)
        base = stored_groups(len, base);
    if (s_status == 0u)
        base = stored_turns(len, base, len);
    sync();
    if (lane == 0u && s_status == 0u) {
        if (base < len)
            fail(kStatusLoopLimit);
        s_out += len;
        s_drain_start = len & 31u;  // the lane after the last byte's (lane 0 for an empty block)
    }
}

// Dynamic block: precode length i in lane i, then one code-length symbol per turn from lane 0,
// then the two tables (lane 0).
void dynamic_tables() {
    uint np = s_num_precode;
    bool taken = lane < np;
    uint need = 0u;
    if (taken) {
        s_lens[kPrecodeLens + kPrecodeOrder[lane]] = take(3u);
        need = nbits < 32u ? 1u : 0u;
    } else if (lane < 19u) {
        s_lens[kPrecodeLens + kPrecodeOrder[lane]] = 0u;
    }
    uvec4 before = publish_turn(uvec4(0u, need, 0u, 0u), 0u, lane);
    if (taken) {
        if (trunc)
            fail(kTruncated);
        if (need != 0u)
            refill(s_next_word + before.y);
        if (lane + 1u == np)
            s_total = before + s_pub[lane];
    }
    sync();
    if (lane == 0u) {
        s_next_word += s_total.y;
        if (s_status == 0u && !build_table(2u, kPrecodeLens, 19u, 7u))
            fail(kBadHuffmanCode);
        s_cl_index = 0u;
        s_cl_last = kNone;
    }
    sync();
    if (s_status != 0u)
        return;

    uint total = s_num_litlen + s_num_dist;
    for (;;) {
        if (s_cl_index >= total)
            break;
        save();
        uint sym = decode(2u);
        uint count = 1u;
        uint value = sym;
        uint repeat = 0u;
        if (sym == 16u) {
            repeat = 1u;
            count = 3u + take(2u);
        } else if (sym == 17u) {
            count = 3u + take(3u);
            value = 0u;
        } else if (sym == 18u) {
            count = 11u + take(7u);
            value = 0u;
        }
        need = nbits < 32u ? 1u : 0u;
        s_val[lane] = value;
        before = publish_turn(uvec4(count, need, repeat, 0u), 0u, lane);
#ifdef DS_SUBGROUP_SCAN
        sync();  // a repeat reads the other lanes' s_pub and s_val
#endif
        uint at = s_cl_index + before.x;
        if (at >= total) {
            restore();  // the code lengths were complete before this turn
        } else {
            if (repeat != 0u) {
                // Code 16 repeats the last length: from the nearest earlier turn of this round
                // that is not a 16 itself, else from before this round.
                uint v = s_cl_last;
#define PREV_STEP(K) if (K < lane && s_pub[K].z == 0u) v = s_val[K];
                REPEAT31(PREV_STEP)
#undef PREV_STEP
                if (at == 0u)
                    fail(kBadHuffmanCode);  // nothing to repeat
                value = v;
            }
            // A repeat may run past `total` (at < 320, count <= 138: s_lens has room).
            uint k = 0u;
            for (; k < count; ++k)
                s_lens[at + k] = value;
            if (k < count)
                fail(kStatusLoopLimit);
            if (trunc)
                fail(kTruncated);
            if (need != 0u)
                refill(s_next_word + before.y);
            if (at + count >= total || lane == 31u) {
                s_total = before + s_pub[lane];
                s_total_val = value;
            }
        }
        sync();
        if (lane == 0u) {
            s_cl_index += s_total.x;
            s_next_word += s_total.y;
            s_cl_last = s_total_val;
            s_rounds += 1u;
        }
        sync();
        if (s_status != 0u)
            return;
    }
    if (lane == 0u) {
        if (s_cl_index < total)
            fail(kStatusLoopLimit);
        else if (!build_table(0u, 0u, s_num_litlen, 15u) || !build_table(1u, s_num_litlen, s_num_dist, 15u))
            fail(kBadHuffmanCode);
    }
}

// Huffman data: rounds of 32 turns from lane 0. A turn decodes a literal (written at once), a
// length (its bytes are reserved at once), or end-of-block (the round's last turn, no refill);
// a lane that owes a distance reads it instead and its match is copied after the round's turns.
void huffman_rounds() {
    bool ended = false;
    for (;;) {
        save();
        uint kind;  // 0 literal, 1 length, 2 end of block, 3 distance
        uint value = 0u;
        uint bytes = 0u;
        if (pend) {
            uint sym = decode(1u) & 31u;
            value = kDistBase[sym] + take(kDistExtra[sym]);
            kind = 3u;
        } else {
            uint sym = decode(0u);
            if (sym < 256u) {
                kind = 0u;
                value = sym;
                bytes = 1u;
            } else if (sym == 256u) {
                kind = 2u;
            } else {
                kind = 1u;
                value = kLengthBase[sym - 257u] + take(kLengthExtra[sym - 257u]);
                bytes = value;
            }
        }
        uint need = kind != 2u && nbits < 32u ? 1u : 0u;
        uvec4 before = publish_turn(uvec4(bytes, need, kind == 2u ? 1u : 0u, kind == 3u ? 1u : 0u), 0u, lane);
        if (before.z != 0u) {
            restore();  // an earlier turn of this round ended the block
        } else {
            if (trunc)
                fail(kTruncated);
            uint at = s_out + before.x;
            if (bytes != 0u && (at > out_cap || bytes > out_cap - at)) {
                fail(kOutputOverrun);
            } else if (kind == 0u) {
                put_byte(at, value);
            } else if (kind == 1u) {
                pend = true;
                pend_len = value;
                pend_pos = at;
            } else if (kind == 3u) {
                pend = false;
                if (value > pend_pos) {
                    fail(kBadDistance);
                } else {
                    s_copy_pos[before.w] = pend_pos;
                    s_copy_len[before.w] = pend_len;
                    s_copy_dist[before.w] = value;
                }
            }
            if (need != 0u)
                refill(s_next_word + before.y);
            if (kind == 2u)
                s_drain_start = lane;
            if (kind == 2u || lane == 31u)
                s_total = before + s_pub[lane];
        }
        sync();
        if (lane == 0u) {
            s_out += s_total.x;
            s_next_word += s_total.y;
            s_round_end = s_total.z;
            s_ncopies = s_total.w;
            s_rounds += 1u;
        }
        sync();
        run_copies(true);
        if (s_status != 0u)
            break;
        if (s_round_end != 0u) {
            ended = true;
            break;
        }
    }
    sync();
    if (!ended && lane == 0u)
        fail(kStatusLoopLimit);  // no-op when an error ended the loop
}

// After end-of-block every lane gets one more turn, from s_drain_start, to pay the distance it
// still owes.
void drain_round() {
    uint start = s_drain_start;
    uint order = (lane - start) & 31u;
    uint dist = 0u;
    if (pend) {
        uint sym = decode(1u) & 31u;
        dist = kDistBase[sym] + take(kDistExtra[sym]);
    }
    uint need = nbits < 32u ? 1u : 0u;
    uvec4 before = publish_turn(uvec4(0u, need, 0u, pend ? 1u : 0u), start, order);
    if (trunc)
        fail(kTruncated);
    if (pend) {
        pend = false;
        if (dist > pend_pos) {
            fail(kBadDistance);
        } else {
            s_copy_pos[before.w] = pend_pos;
            s_copy_len[before.w] = pend_len;
            s_copy_dist[before.w] = dist;
        }
    }
    if (need != 0u)
        refill(s_next_word + before.y);
    if (order == 31u)
        s_total = before + s_pub[lane];
    sync();
    if (lane == 0u) {
        s_next_word += s_total.y;
        s_ncopies = s_total.w;
        s_rounds += 1u;
    }
    sync();
    run_copies(false);
}

void decode_blocks(uint round_limit) {
    bool finished = false;
    for (;;) {
        sync();  // everyone has read the previous block's state before lane 0 overwrites it
        if (lane == 0u)
            block_header();
        sync();
        if (s_status != 0u)
            break;
        if (s_type == 0u) {
            stored_rounds();
        } else {
            if (s_type == 2u)
                dynamic_tables();
            else if (lane == 0u && s_fixed == 0u)
                fixed_tables();
            sync();
            if (s_status != 0u)
                break;
            huffman_rounds();
        }
        sync();
        if (s_status != 0u)
            break;
        drain_round();
        if (s_status != 0u)
            break;
        if (s_final != 0u) {
            finished = true;
            break;
        }
        if (s_rounds > round_limit)
            break;
    }
    sync();
    if (lane == 0u && s_status == 0u) {
        if (!finished)
            fail(s_rounds > round_limit ? kStatusTurnLimit : kStatusLoopLimit);
        else if (s_out != out_cap)
            fail(kSizeMismatch);
    }
}

// Word `i` of the stream's header and tile table (before any tile has copied its bytes).
uint table_word(uint i) {
#ifdef DS_DIRECT_OUTPUT
    if (job.prefetch_from != uvec2(0u))
        return Staged(job.prefetch_from).words[i];
#endif
    return packed_words[i];
}

// The tile's compressed range and size; kOk or kBadTileTable. The tile table was checked on the
// CPU; checked again here so that a bad one cannot make this shader read outside the stream.
uint locate_tile(uint tile) {
    uint data_start = 8u + 4u * job.tiles;
    if (job.tiles == 0u || data_start > job.packed_size)
        return kBadTileTable;
    uint data_size = job.packed_size - data_start;
    uint start = tile == 0u ? 0u : table_word(2u + tile);
    if (start > data_size)
        return kBadTileTable;
    uint size;
    if (tile + 1u < job.tiles) {
        uint end = table_word(3u + tile);
        if (end < start || end > data_size)
            return kBadTileTable;
        size = end - start;
    } else {
        size = table_word(2u);
        if (size > data_size - start)
            return kBadTileTable;
    }
    in_base = data_start + start;
    in_size = size;
    uint before = tile * kTileSize;
    if (job.uncompressed_size <= before)
        return kBadTileTable;  // the job's sizes disagree (the CPU checked them)
    uint remaining = job.uncompressed_size - before;
    out_base = before;
    out_cap = tile + 1u < job.tiles ? kTileSize : remaining;
    if (out_cap > remaining || out_cap > kTileSize)
        return kBadTileTable;
    return kOk;
}

#ifdef DS_DIRECT_OUTPUT
// A device address plus a byte offset (the address as two 32-bit halves, low first).
uvec2 address_plus(uvec2 address, uint offset) {
    uint carry;
    uint low = uaddCarry(address.x, offset, carry);
    return uvec2(low, address.y + carry);
}

// Copies the words that hold the tile's bytes from staging to g_input (the tile's copy), eight
// loads in flight per invocation before their stores. False when a loop was cut short.
bool prefetch_tile() {
    Staged src = Staged(job.prefetch_from);
    const uint end = (in_base + in_size + 3u) >> 2u;
    uint i = (in_base >> 2u) + lane;
    for (; i + 7u * 32u < end; i += 8u * 32u) {
        uint a = src.words[i], b = src.words[i + 32u], c = src.words[i + 64u], d = src.words[i + 96u];
        uint e = src.words[i + 128u], f = src.words[i + 160u], g = src.words[i + 192u], h = src.words[i + 224u];
        packed_words[i] = a;
        packed_words[i + 32u] = b;
        packed_words[i + 64u] = c;
        packed_words[i + 96u] = d;
        packed_words[i + 128u] = e;
        packed_words[i + 160u] = f;
        packed_words[i + 192u] = g;
        packed_words[i + 224u] = h;
    }
    for (; i < end; i += 32u)
        packed_words[i] = src.words[i];
    return i >= end;
}
#endif

void main() {
    lane = gl_LocalInvocationID.x;
#ifdef DS_DIRECT_OUTPUT
    g_output = Output(job.out_address);
    g_input = Input(job.in_address);
#endif
    uint tile = gl_WorkGroupID.x;
    uint located = tile < job.tiles ? locate_tile(tile) : kBadTileTable;
#ifdef DS_SUBGROUP_SCAN
    // The scans need lane n at position n of the subgroups taken in order (true of every driver
    // seen; Vulkan does not promise it). Otherwise the CPU decodes the request.
    s_pub[lane].x = gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID == lane ? 0u : 1u;
    sync();
    if (lane == 0u) {
        uint misplaced = 0u;
#define PLACE_STEP(K) misplaced += s_pub[K].x;
        REPEAT31(PLACE_STEP) PLACE_STEP(31u)
#undef PLACE_STEP
        s_pub[0].y = misplaced;
    }
    sync();
    if (s_pub[0].y != 0u)
        located = kStatusSubgroups;
#endif
    if (lane == 0u) {
        s_status = located;
        s_next_word = 32u;
        s_out = 0u;
        s_rounds = 0u;
        s_fixed = 0u;
    }
    lo = 0u;
    hi = 0u;
    nbits = 0u;
    phantom = 0u;
    trunc = false;
    pend = false;
#ifdef DS_DIRECT_OUTPUT
    if (job.prefetch_from != uvec2(0u)) {
        g_input = Input(address_plus(job.in_address, 4u * tile));
        bool copied = located != kOk || prefetch_tile();
        sync();  // every lane's words copied; lane 0's s_status set
        if (!copied)
            fail(kStatusLoopLimit);
    }
#endif
    if (located == kOk) {
        refill(lane);  // the tile starts with one word per lane, lanes 0..31
        // Zero the tile's output words: literals are ORed into them.
        uint first = out_base >> 2u;
        uint words = (out_cap + 3u) >> 2u;
        uint w = lane;
        for (; w < words; w += 32u)
            out_words[first + w] = 0u;
        if (w < words)
            fail(kStatusLoopLimit);
    }
    sync();
    if (s_status == kOk) {
        // Each round either consumes input bits or fails, so no valid tile comes near this.
        uint round_limit = 4u * 8u * min(in_size, 1u << 24u) + 4096u;
        decode_blocks(round_limit);
    }
    sync();
#ifdef DS_DIRECT_OUTPUT
    if (lane == 0u && tile < job.tiles)
        Statuses(job.status).words[tile] = s_status;
#else
    if (lane == 0u && tile < job.tiles)
        packed_words[job.status_word + tile] = s_status;
#endif
}
