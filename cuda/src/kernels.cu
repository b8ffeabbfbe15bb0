// Kaizen's GPU erasure coder: the Leopard-style Reed-Solomon code over GF(2^16) of the
// `reed-solomon-simd` crate, compiled at run time with NVRTC (see coder.rs).
//
// Data layout (identical to the CPU codec): a shard is a sequence of 64-byte chunks; chunk
// c holds 32 GF(2^16) symbols, symbol j having its low byte at c*64 + j and its high byte
// at c*64 + 32 + j. A "unit" here is 4 consecutive symbols of one chunk: a 32-bit word of
// low bytes and the 32-bit word 32 bytes further on of high bytes. Unit u of a shard is
// at byte (u / 8) * 64 + (u % 8) * 4. Every operation works column by column (the same
// unit of every shard), so threads are indexed by (shard group, unit), unit fastest, and
// a warp reads 256 contiguous bytes of a shard at a time.
//
// Multiplication by a constant exp(log_m) uses the CPU codec's own Mul16 table (64 u16
// per log_m: products of the 4 nibbles), uploaded once: 4 look-ups into one 128-byte line.

typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned long long u64;
typedef unsigned char u8;

#define GF_MODULUS 65535u
#define NONE 0xFFFFFFFFu

struct Elem {
    u32 lo;
    u32 hi;
};

__device__ __forceinline__ u64 unit_offset(u64 pos, u64 shard_bytes, u32 u) {
    return pos * shard_bytes + (u64)(u >> 3) * 64 + (u64)(u & 7) * 4;
}

__device__ __forceinline__ Elem load(const u8* __restrict__ data, u64 off) {
    Elem e;
    e.lo = *(const u32*)(data + off);
    e.hi = *(const u32*)(data + off + 32);
    return e;
}

__device__ __forceinline__ void store(u8* __restrict__ data, u64 off, Elem e) {
    *(u32*)(data + off) = e.lo;
    *(u32*)(data + off + 32) = e.hi;
}

// x * exp(log_m) for the 4 symbols of a unit; t = mul8 + log_m * 512: the products of
// the low byte (t[0..256]) and of the high byte (t[256..512]), built from the CPU codec's
// Mul16 table by build_mul8. Two look-ups per symbol; PRMT extracts and repacks bytes.
__device__ __forceinline__ Elem gf_mul(Elem v, const u16* __restrict__ t) {
    u32 p[4];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const u32 l = __byte_perm(v.lo, 0, 0x4440 + i);
        const u32 h = __byte_perm(v.hi, 0, 0x4440 + i);
        p[i] = (u32)__ldg(t + l) ^ (u32)__ldg(t + 256 + h);
    }
    const u32 x01 = __byte_perm(p[0], p[1], 0x5140);
    const u32 x23 = __byte_perm(p[2], p[3], 0x5140);
    Elem r;
    r.lo = __byte_perm(x01, x23, 0x5410);
    r.hi = __byte_perm(x01, x23, 0x7632);
    return r;
}

// mul8[log_m][0][b] = b * exp(log_m), mul8[log_m][1][b] = (b << 8) * exp(log_m), from
// mul16[log_m][nibble position][nibble] (GF(2)-linear, so the nibble products add up).
extern "C" __global__ void build_mul8(const u16* __restrict__ mul16, u16* __restrict__ mul8) {
    const u32 total = 65536u * 512u;
    for (u32 idx = blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += gridDim.x * blockDim.x) {
        const u32 lm = idx >> 9;
        const u32 half = (idx >> 8) & 1u;
        const u32 b = idx & 255u;
        const u16* m = mul16 + (u64)lm * 64 + half * 32;
        mul8[idx] = m[b & 15u] ^ m[16 + (b >> 4)];
    }
}

// idx -> (unit, group), in 32-bit arithmetic when it fits.
__device__ __forceinline__ void split(u64 idx, u32 units, u32& u, u64& g) {
    if (idx >> 32) {
        u = (u32)(idx % units);
        g = idx / units;
    } else {
        const u32 i = (u32)idx;
        u = i % units;
        g = i / units;
    }
}

// One pass of L butterfly layers of an FFT (INV = false: distances D*2^(L-1) down to D)
// or IFFT (INV = true: D up to D*2^(L-1)), over `nblk` independent transforms of
// 2^log_size shards each (transform b covers shards b*size .. (b+1)*size, its skew
// offset is sd_base + b*sd_step, and only its first min(size, trunc - b*size) outputs
// are needed). As in the CPU codec, a butterfly group that starts at or after the
// truncation point is skipped and a skew of GF_MODULUS means "add without multiplying".
template <int L, bool INV>
__device__ __forceinline__ void transform_pass(u8* __restrict__ data, u64 shard_bytes,
                                               u32 units, u32 log_size, u32 log_d, u32 nblk,
                                               u32 trunc, u32 sd_base, u32 sd_step,
                                               const u16* __restrict__ skew,
                                               const u16* __restrict__ mul8,
                                               const u32* __restrict__ skip_prefix,
                                               u32 use_skip) {
    const u32 size = 1u << log_size;
    const u32 groups = size >> L;
    const u32 d_mask = (1u << log_d) - 1u;
    const u64 total = (u64)nblk * groups * units;
    for (u64 idx = (u64)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (u64)gridDim.x * blockDim.x) {
        u32 u;
        u64 g;
        split(idx, units, u, g);
        const u32 b = (u32)(g / groups);
        const u32 gi = (u32)(g % groups);
        const u32 r0 = (gi >> log_d) << (log_d + L);
        const u32 o = gi & d_mask;
        const u32 start = b * size;
        if (start >= trunc) continue;
        u32 tb = trunc - start;
        if (tb > size) tb = size;
        if (r0 >= tb) continue;
        // Decoder only: the aligned block this group lies in has no position that
        // counts (IFFT: nothing received, so it is zero and stays zero; FFT: no missing
        // original, so nothing computed there is read).
        if (use_skip) {
            const u32 a = start + r0;
            if (skip_prefix[a + (1u << (log_d + L))] == skip_prefix[a]) continue;
        }
        const u32 sd = sd_base + b * sd_step;
        Elem v[1 << L];
        const u64 base = (u64)start + r0 + o;
#pragma unroll
        for (int j = 0; j < (1 << L); j++) {
            v[j] = load(data, unit_offset(base + ((u64)j << log_d), shard_bytes, u));
        }
#pragma unroll
        for (int step = 0; step < L; step++) {
            const int l = INV ? step : (L - 1 - step);
            const u32 dist = 1u << (log_d + l);
#pragma unroll
            for (int j = 0; j < (1 << L); j++) {
                if (j & (1 << l)) continue;
                const u32 r = r0 + ((u32)(j >> (l + 1)) << (log_d + l + 1));
                if (r >= tb) continue;
                const u32 log_m = skew[r + dist + sd - 1];
                Elem a = v[j];
                Elem c = v[j + (1 << l)];
                if (INV) {
                    c.lo ^= a.lo;
                    c.hi ^= a.hi;
                    if (log_m != GF_MODULUS) {
                        Elem p = gf_mul(c, mul8 + (u64)log_m * 512);
                        a.lo ^= p.lo;
                        a.hi ^= p.hi;
                    }
                } else {
                    if (log_m != GF_MODULUS) {
                        Elem p = gf_mul(c, mul8 + (u64)log_m * 512);
                        a.lo ^= p.lo;
                        a.hi ^= p.hi;
                    }
                    c.lo ^= a.lo;
                    c.hi ^= a.hi;
                }
                v[j] = a;
                v[j + (1 << l)] = c;
            }
        }
#pragma unroll
        for (int j = 0; j < (1 << L); j++) {
            store(data, unit_offset(base + ((u64)j << log_d), shard_bytes, u), v[j]);
        }
    }
}

#ifndef KZ_MIN_BLOCKS
#define KZ_MIN_BLOCKS 1
#endif

#define PASS(NAME, L, INV)                                                                   \
    extern "C" __global__ void __launch_bounds__(256, KZ_MIN_BLOCKS) NAME(u8* data, u64 shard_bytes, u32 units, u32 log_size,     \
                                    u32 log_d, u32 nblk, u32 trunc, u32 sd_base,             \
                                    u32 sd_step, const u16* skew, const u16* mul8,          \
                                    const u32* skip_prefix, u32 use_skip) {                  \
        transform_pass<L, INV>(data, shard_bytes, units, log_size, log_d, nblk, trunc,       \
                               sd_base, sd_step, skew, mul8, skip_prefix, use_skip);         \
    }

PASS(fft_pass_1, 1, false)
PASS(fft_pass_2, 2, false)
PASS(fft_pass_3, 3, false)
PASS(fft_pass_4, 4, false)
PASS(ifft_pass_1, 1, true)
PASS(ifft_pass_2, 2, true)
PASS(ifft_pass_3, 3, true)
PASS(ifft_pass_4, 4, true)

// shard[p] ^= shard[b*chunk + p] for b in 1..nblk, p in 0..chunk (high-rate encoder).
extern "C" __global__ void xor_reduce(u8* data, u64 shard_bytes, u32 units, u32 chunk,
                                      u32 nblk) {
    const u64 total = (u64)chunk * units;
    for (u64 idx = (u64)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (u64)gridDim.x * blockDim.x) {
        u32 u;
        u64 g;
        split(idx, units, u, g);
        const u32 p = (u32)g;
        Elem acc = load(data, unit_offset(p, shard_bytes, u));
        for (u32 b = 1; b < nblk; b++) {
            Elem e = load(data, unit_offset((u64)b * chunk + p, shard_bytes, u));
            acc.lo ^= e.lo;
            acc.hi ^= e.hi;
        }
        store(data, unit_offset(p, shard_bytes, u), acc);
    }
}

// Copies bytes [0, block_words*16) to every later block of that size, nblk blocks in all
// (low-rate encoder: the IFFT of the originals repeated over the recovery range).
extern "C" __global__ void broadcast(uint4* data, u64 block_words, u32 nblk) {
    const u64 total = block_words * (u64)(nblk - 1);
    for (u64 idx = (u64)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (u64)gridDim.x * blockDim.x) {
        data[block_words + idx] = data[idx % block_words];
    }
}

// Formal derivative over n = 2^log_n shards, out of place. The CPU codec's loop
// `for i in 1..n { w = lowest bit of i; data[i-w..i] ^= data[i..i+w] }` only ever reads
// shards it has not written yet, so out[p] = in[p] ^ (xor of in[p | 2^b] over the bits b
// of p that are 0, 2^b < n).
// Each output reads about log_n / 2 + 1 shards far apart, so the work goes slice by
// slice: all n positions of `slice_units` units (a column slice small enough for the
// L2 cache) before the next slice, so that each input is read from DRAM about once.
extern "C" __global__ void formal_derivative(const u8* __restrict__ in, u8* __restrict__ out,
                                             u64 shard_bytes, u32 units, u32 log_n,
                                             u32 slice_units) {
    const u64 n = (u64)1 << log_n;
    const u64 total = n * units;
    const u64 per_slice = n * slice_units;
    for (u64 idx = (u64)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (u64)gridDim.x * blockDim.x) {
        u32 p, u;
        if (total >> 32) {
            const u64 sl = idx / per_slice;
            const u64 r = idx - sl * per_slice;
            const u64 first = sl * slice_units;
            const u64 w = (units - first < slice_units) ? (units - first) : slice_units;
            p = (u32)(r / w);
            u = (u32)(first + r % w);
        } else {
            const u32 i = (u32)idx;
            const u32 sl = i / (u32)per_slice;
            const u32 r = i - sl * (u32)per_slice;
            const u32 first = sl * slice_units;
            const u32 w = (units - first < slice_units) ? (units - first) : slice_units;
            p = r / w;
            u = first + r % w;
        }
        Elem acc = load(in, unit_offset(p, shard_bytes, u));
        for (u32 b = 0; b < log_n; b++) {
            if (p & (1u << b)) continue;
            Elem e = load(in, unit_offset(p | (1u << b), shard_bytes, u));
            acc.lo ^= e.lo;
            acc.hi ^= e.hi;
        }
        store(out, unit_offset(p, shard_bytes, u), acc);
    }
}

// Decoder input: work[p] = src[map[p]] * exp(factor[p]), or zero where map[p] is NONE.
extern "C" __global__ void scatter_scale(const u8* __restrict__ src, u8* __restrict__ work,
                                         u64 shard_bytes, u32 units, u32 n,
                                         const u32* __restrict__ map,
                                         const u16* __restrict__ factor,
                                         const u16* __restrict__ mul8) {
    const u64 total = (u64)n * units;
    for (u64 idx = (u64)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (u64)gridDim.x * blockDim.x) {
        u32 u;
        u64 g;
        split(idx, units, u, g);
        const u32 p = (u32)g;
        const u32 s = map[p];
        Elem v;
        if (s == NONE) {
            v.lo = 0;
            v.hi = 0;
        } else {
            v = gf_mul(load(src, unit_offset(s, shard_bytes, u)), mul8 + (u64)factor[p] * 512);
        }
        store(work, unit_offset(p, shard_bytes, u), v);
    }
}

// Decoder output: dst[q] = work[pos[q]] * exp(factor[q]) for q in 0..count.
extern "C" __global__ void gather_scale(const u8* __restrict__ work, u8* __restrict__ dst,
                                        u64 shard_bytes, u32 units, u32 count,
                                        const u32* __restrict__ pos,
                                        const u16* __restrict__ factor,
                                        const u16* __restrict__ mul8) {
    const u64 total = (u64)count * units;
    for (u64 idx = (u64)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (u64)gridDim.x * blockDim.x) {
        u32 u;
        u64 g;
        split(idx, units, u, g);
        const u32 q = (u32)g;
        Elem v = gf_mul(load(work, unit_offset(pos[q], shard_bytes, u)),
                        mul8 + (u64)factor[q] * 512);
        store(dst, unit_offset(q, shard_bytes, u), v);
    }
}
