package dev.gancompress.compress.encode;

import java.util.Arrays;

/**
 * The distinct symbols of a stream, ascending, with their counts; built by sorting a copy, so its memory follows
 * the stream's length and never the alphabet's size.
 */
record SymbolHistogram(int[] symbols, long[] counts, long total) {
    static SymbolHistogram of(int[] stream) {
        int[] sorted = stream.clone();
        Arrays.sort(sorted);
        int distinct = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                distinct++;
            }
        }
        int[] symbols = new int[distinct];
        long[] counts = new long[distinct];
        int j = -1;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                symbols[++j] = sorted[i];
            }
            counts[j]++;
        }
        return new SymbolHistogram(symbols, counts, sorted.length);
    }

    int distinct() {
        return symbols.length;
    }

    /** The index of {@code symbol} among the distinct symbols (it must occur). */
    int indexOf(int symbol) {
        return Arrays.binarySearch(symbols, symbol);
    }

    /**
     * The stream's empirical (zeroth-order) entropy in bits: n x H with H = -sum p log2 p, the lower bound of any
     * coder that codes symbols independently with one fixed model (the table not counted).
     */
    double entropyBits() {
        double bits = 0;
        for (long c : counts) {
            bits -= c * (Math.log((double) c / total) / Math.log(2));
        }
        return Math.max(0, bits);
    }
}
