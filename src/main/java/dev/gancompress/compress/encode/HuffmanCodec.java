package dev.gancompress.compress.encode;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * Canonical Huffman coding (Huffman 1952; canonical codes as in DEFLATE, RFC 1951 section 3.2.2), as Deep
 * Compression codes its weight indices and sparse index gaps (Han, Mao and Dally 2016, section 4).
 *
 * <p>Code lengths are limited to {@value #MAX_LENGTH} bits so that decoding tables stay small; when a stream's
 * Huffman tree is deeper (it needs counts growing like Fibonacci numbers, so more than ~75,000 symbols), the
 * counts are halved (keeping every used symbol at 1 or more) and the tree rebuilt until it fits, which is
 * optimal whenever the limit does not bind and within a fraction of a bit per symbol when it does.
 *
 * <p>Encoding: varint number of distinct symbols; the distinct symbols ascending as varint gaps; when there are
 * two or more, one byte per symbol with its code length; then the codes, most significant bit first. A stream of
 * one distinct symbol needs no bits per symbol.
 */
final class HuffmanCodec implements EntropyCodec {
    static final HuffmanCodec INSTANCE = new HuffmanCodec();
    static final int MAX_LENGTH = 24;

    private HuffmanCodec() {
    }

    @Override
    public String name() {
        return "huffman";
    }

    @Override
    public int id() {
        return 1;
    }

    /**
     * Optimal prefix-code lengths for {@code counts} (all positive), limited to {@value #MAX_LENGTH} bits; a single
     * symbol gets length 0. Ties are broken by symbol order, so the result is deterministic.
     */
    static int[] codeLengths(long[] counts) {
        long[] c = counts.clone();
        while (true) {
            int[] lengths = unlimitedLengths(c);
            if (Arrays.stream(lengths).max().orElse(0) <= MAX_LENGTH) {
                return lengths;
            }
            for (int i = 0; i < c.length; i++) {
                c[i] = Math.max(1, c[i] >>> 1);
            }
        }
    }

    private static int[] unlimitedLengths(long[] counts) {
        int n = counts.length;
        int[] lengths = new int[n];
        if (n <= 1) {
            return lengths;
        }
        // nodes 0..n-1 are leaves, n.. internal; a node's order breaks weight ties (deterministic trees)
        long[] weight = new long[2 * n - 1];
        int[] parent = new int[2 * n - 1];
        PriorityQueue<Integer> queue = new PriorityQueue<>(n, (a, b) -> weight[a] != weight[b]
                ? Long.compare(weight[a], weight[b]) : Integer.compare(a, b));
        for (int i = 0; i < n; i++) {
            weight[i] = counts[i];
            queue.add(i);
        }
        int next = n;
        while (queue.size() > 1) {
            int a = queue.poll();
            int b = queue.poll();
            weight[next] = weight[a] + weight[b];
            parent[a] = next;
            parent[b] = next;
            queue.add(next++);
        }
        int root = next - 1;
        int[] depth = new int[2 * n - 1];
        for (int node = root - 1; node >= 0; node--) { // parents are created after children
            depth[node] = depth[parent[node]] + 1;
        }
        System.arraycopy(depth, 0, lengths, 0, n);
        return lengths;
    }

    /** Canonical codes: by increasing length, then symbol order, consecutive integers. */
    static int[] canonicalCodes(int[] lengths) {
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> lengths[a] != lengths[b] ? Integer.compare(lengths[a], lengths[b])
                : Integer.compare(a, b));
        int[] codes = new int[lengths.length];
        int code = 0;
        int previous = 0;
        for (int i : order) {
            code <<= lengths[i] - previous;
            codes[i] = code++;
            previous = lengths[i];
        }
        return codes;
    }

    @Override
    public byte[] encode(int[] symbols, int alphabet) {
        SymbolHistogram h = SymbolHistogram.of(symbols);
        ByteSink out = new ByteSink();
        out.varint(h.distinct());
        SymbolTables.writeSymbols(out, h.symbols());
        int[] lengths = codeLengths(h.counts());
        if (h.distinct() >= 2) {
            for (int len : lengths) {
                out.u8(len);
            }
        }
        int[] codes = canonicalCodes(lengths);
        BitWriter bits = new BitWriter();
        if (h.distinct() >= 2) {
            for (int s : symbols) {
                int i = h.indexOf(s);
                bits.write(codes[i], lengths[i]);
            }
        }
        out.bytes(bits.finish());
        return out.toByteArray();
    }

    @Override
    public int[] decode(ByteSource in, int count, int alphabet) {
        int distinct = in.varintInt("huffman symbol count", Math.min(alphabet, Math.max(count, 0)));
        int[] symbols = SymbolTables.readSymbols(in, distinct, alphabet);
        int[] out = new int[count];
        if (distinct == 0) {
            if (count != 0) {
                throw in.error("a huffman stream of " + count + " symbols has no symbol table");
            }
            return out;
        }
        if (distinct == 1) {
            Arrays.fill(out, symbols[0]);
            in.expectEnd("a one-symbol huffman stream");
            return out;
        }
        int[] lengths = new int[distinct];
        int[] perLength = new int[MAX_LENGTH + 1];
        long kraft = 0;
        for (int i = 0; i < distinct; i++) {
            lengths[i] = in.u8("huffman code length");
            if (lengths[i] < 1 || lengths[i] > MAX_LENGTH) {
                throw in.error("huffman code length " + lengths[i] + " is outside [1, " + MAX_LENGTH + "]");
            }
            perLength[lengths[i]]++;
            kraft += 1L << (MAX_LENGTH - lengths[i]);
        }
        if (kraft != 1L << MAX_LENGTH) {
            throw in.error("huffman code lengths do not form a complete prefix code (corrupt table)");
        }
        // canonical decoding tables: the first code of each length and where its symbols start
        int[] sorted = new int[distinct];
        int[] offset = new int[MAX_LENGTH + 2];
        for (int len = 1; len <= MAX_LENGTH; len++) {
            offset[len + 1] = offset[len] + perLength[len];
        }
        int[] fill = offset.clone();
        for (int i = 0; i < distinct; i++) {
            sorted[fill[lengths[i]]++] = symbols[i];
        }
        int[] first = new int[MAX_LENGTH + 1];
        int code = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            code = (code + perLength[len - 1]) << 1;
            first[len] = code;
        }
        BitReader bits = new BitReader(in);
        for (int i = 0; i < count; i++) {
            int c = 0;
            for (int len = 1; ; len++) {
                if (len > MAX_LENGTH) {
                    throw in.error("huffman code longer than " + MAX_LENGTH + " bits at symbol " + i);
                }
                c = (c << 1) | bits.bit();
                int index = c - first[len];
                if (index >= 0 && index < perLength[len]) {
                    out[i] = sorted[offset[len] + index];
                    break;
                }
            }
        }
        return out;
    }

    /** Sum over the stream of its symbols' code lengths: the size of the bit stream before byte padding. */
    static long codeBits(int[] symbols) {
        SymbolHistogram h = SymbolHistogram.of(symbols);
        int[] lengths = codeLengths(h.counts());
        long bits = 0;
        for (int i = 0; i < lengths.length; i++) {
            bits += lengths[i] * h.counts()[i];
        }
        return bits;
    }
}
