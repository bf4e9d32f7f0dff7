package dev.gancompress.compress.encode;

/**
 * Range asymmetric numeral systems (Duda 2013, "Asymmetric numeral systems: entropy coding combining speed of
 * Huffman coding with compression rate of arithmetic coding"), in the 64-bit state / 32-bit word variant: a symbol
 * of frequency f out of M = 2^scale costs log2(M / f) bits, so unlike Huffman it is not held to one bit per symbol
 * and comes within the frequency quantisation of the stream's empirical entropy.
 *
 * <p>State x lives in [L, 2^63) with L = 2^31. Encoding runs over the symbols backwards, so decoding reads forward:
 * encode s: while x >= ((L >> scale) << 32) x f_s emit the low 32 bits; x = (x / f_s) << scale + x mod f_s + c_s.
 * Decode: slot = x mod M, s = the symbol with c_s <= slot < c_s + f_s, x = f_s (x >> scale) + slot - c_s, then
 * refill 32 bits while x < L. The final state must be L again, which catches most corruption.
 *
 * <p>Encoding: varint distinct symbols; the symbols ascending (gaps); with two or more, a scale byte, the
 * frequencies minus one as varints (they sum to 2^scale), then the 8-byte final state and the 32-bit words.
 */
final class RansCodec implements EntropyCodec {
    static final RansCodec INSTANCE = new RansCodec();
    private static final long L = 1L << 31;
    static final int MAX_SCALE = 24;

    private RansCodec() {
    }

    @Override
    public String name() {
        return "rans";
    }

    @Override
    public int id() {
        return 2;
    }

    /** Enough precision that every symbol has room (>= 4 x distinct slots) and skewed streams are well modelled. */
    static int scaleFor(int distinct) {
        return Math.min(MAX_SCALE, Math.max(16, EntropyCodec.fixedWidth(distinct) + 2));
    }

    /**
     * Counts scaled to sum exactly 2^scale, every used symbol at least 1: rounded proportions, then the rounding
     * error taken from (or given to) the most frequent symbols, which changes their cost the least.
     */
    static int[] normalize(long[] counts, long total, int scale) {
        long m = 1L << scale;
        int[] f = new int[counts.length];
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            f[i] = (int) Math.max(1, Math.round((double) counts[i] * m / total));
            sum += f[i];
        }
        while (sum != m) {
            int best = 0;
            for (int i = 1; i < f.length; i++) {
                if (f[i] > f[best]) {
                    best = i;
                }
            }
            long step = sum > m ? -Math.min(sum - m, f[best] - 1L) : m - sum;
            if (step == 0) {
                throw new IllegalStateException("cannot fit " + f.length + " symbols into 2^" + scale);
            }
            f[best] += (int) step;
            sum += step;
        }
        return f;
    }

    @Override
    public byte[] encode(int[] symbols, int alphabet) {
        SymbolHistogram h = SymbolHistogram.of(symbols);
        ByteSink out = new ByteSink();
        out.varint(h.distinct());
        SymbolTables.writeSymbols(out, h.symbols());
        if (h.distinct() < 2) {
            return out.toByteArray();
        }
        int scale = scaleFor(h.distinct());
        int[] freq = normalize(h.counts(), h.total(), scale);
        int[] cum = new int[freq.length];
        for (int i = 1; i < freq.length; i++) {
            cum[i] = cum[i - 1] + freq[i - 1];
        }
        out.u8(scale);
        for (int f : freq) {
            out.varint(f - 1L);
        }
        int[] words = new int[symbols.length + 2];
        int count = 0;
        long x = L;
        for (int i = symbols.length - 1; i >= 0; i--) {
            int s = h.indexOf(symbols[i]);
            long f = freq[s];
            long xMax = ((L >>> scale) << 32) * f;
            while (x >= xMax) {
                if (count == words.length) {
                    words = java.util.Arrays.copyOf(words, words.length * 2);
                }
                words[count++] = (int) x;
                x >>>= 32;
            }
            x = ((x / f) << scale) + (x % f) + cum[s];
        }
        out.u64(x);
        for (int i = count - 1; i >= 0; i--) {
            out.u32(words[i]);
        }
        return out.toByteArray();
    }

    @Override
    public int[] decode(ByteSource in, int count, int alphabet) {
        int distinct = in.varintInt("rans symbol count", Math.min(alphabet, Math.max(count, 0)));
        int[] symbols = SymbolTables.readSymbols(in, distinct, alphabet);
        int[] out = new int[count];
        if (distinct == 0) {
            if (count != 0) {
                throw in.error("a rans stream of " + count + " symbols has no symbol table");
            }
            return out;
        }
        if (distinct == 1) {
            java.util.Arrays.fill(out, symbols[0]);
            in.expectEnd("a one-symbol rans stream");
            return out;
        }
        int scale = in.u8("rans scale");
        if (scale < 1 || scale > MAX_SCALE) {
            throw in.error("rans scale " + scale + " is outside [1, " + MAX_SCALE + "]");
        }
        long m = 1L << scale;
        int[] freq = new int[distinct];
        int[] cum = new int[distinct + 1];
        for (int i = 0; i < distinct; i++) {
            long f = in.varint("rans frequency", m - 2) + 1;
            freq[i] = (int) f;
            if (cum[i] + f > m) {
                throw in.error("rans frequencies sum past 2^" + scale);
            }
            cum[i + 1] = (int) (cum[i] + f);
        }
        if (cum[distinct] != m) {
            throw in.error("rans frequencies sum to " + cum[distinct] + ", expected 2^" + scale);
        }
        long x = in.u64("rans state");
        if (x < L) {
            throw in.error("rans state " + x + " is below 2^31 (corrupt)");
        }
        long mask = m - 1;
        for (int i = 0; i < count; i++) {
            int slot = (int) (x & mask);
            int lo = 0;
            int hi = distinct - 1;
            while (lo < hi) { // the last symbol whose cumulative frequency is <= slot
                int mid = (lo + hi + 1) >>> 1;
                if (cum[mid] <= slot) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            out[i] = symbols[lo];
            x = freq[lo] * (x >>> scale) + slot - cum[lo];
            while (x < L) {
                x = (x << 32) | (in.u32("rans word") & 0xFFFFFFFFL);
            }
        }
        if (x != L) {
            throw in.error("rans stream does not end in its initial state (corrupt)");
        }
        in.expectEnd("a rans stream");
        return out;
    }
}
