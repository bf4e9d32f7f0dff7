package dev.gancompress.compress.encode;

import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntropyCodecTest {
    private static final List<EntropyCodec> CODECS = List.of(RawCodec.INSTANCE, HuffmanCodec.INSTANCE,
            RansCodec.INSTANCE);

    private static int[] roundTrip(EntropyCodec codec, int[] symbols, int alphabet) {
        byte[] bytes = codec.encode(symbols, alphabet);
        int[] back = codec.decode(new ByteSource(bytes, codec.name()), symbols.length, alphabet);
        assertArrayEquals(symbols, back, codec.name() + " round trip");
        return back;
    }

    /** Streams that break naive coders: empty, one symbol, all equal, every symbol of a 2^16 alphabet once. */
    static List<int[]> adversarialStreams() {
        List<int[]> streams = new ArrayList<>();
        streams.add(new int[0]);
        streams.add(new int[] {7});
        streams.add(new int[1000]);
        int[] allEqual = new int[5000];
        java.util.Arrays.fill(allEqual, 65535);
        streams.add(allEqual);
        int[] distinct = new int[1 << 16];
        for (int i = 0; i < distinct.length; i++) {
            distinct[i] = (i * 40503) & 0xFFFF; // a permutation of 0..65535
        }
        streams.add(distinct);
        int[] twoSkewed = new int[10000];
        twoSkewed[9999] = 1;
        streams.add(twoSkewed);
        int[] fibonacci = new int[200_000]; // counts like Fibonacci numbers: a Huffman tree deeper than 24
        long a = 1;
        long b = 1;
        int pos = 0;
        for (int s = 0; pos < fibonacci.length; s++) {
            for (long k = 0; k < a && pos < fibonacci.length; k++) {
                fibonacci[pos++] = s;
            }
            long c = a + b;
            a = b;
            b = c;
        }
        streams.add(fibonacci);
        return streams;
    }

    @Test
    void everyCodecRoundTripsAdversarialStreams() {
        for (EntropyCodec codec : CODECS) {
            for (int[] s : adversarialStreams()) {
                roundTrip(codec, s, 1 << 16);
            }
        }
    }

    @Test
    void everyCodecRoundTripsRandomStreams() {
        Random rnd = new Random(1);
        for (int trial = 0; trial < 60; trial++) {
            int alphabet = 1 + rnd.nextInt(trial % 3 == 0 ? 3 : 70_000);
            int n = rnd.nextInt(trial % 5 == 0 ? 5 : 20_000);
            int[] s = new int[n];
            double skew = rnd.nextDouble() * 3;
            for (int i = 0; i < n; i++) {
                s[i] = (int) Math.min(alphabet - 1, Math.floor(alphabet * Math.pow(rnd.nextDouble(), 1 + skew)));
            }
            for (EntropyCodec codec : CODECS) {
                roundTrip(codec, s, alphabet);
            }
        }
    }

    @Test
    void huffmanLengthsAreOptimalOnHandExamples() {
        // CLRS 16.3: a..f with frequencies 45,13,12,16,9,5 (here ascending) -> 4,4,3,3,3,1
        assertArrayEquals(new int[] {4, 4, 3, 3, 3, 1}, HuffmanCodec.codeLengths(new long[] {5, 9, 12, 13, 16, 45}));
        assertArrayEquals(new int[] {3, 3, 2, 1}, HuffmanCodec.codeLengths(new long[] {1, 1, 2, 4}));
        assertArrayEquals(new int[] {2, 2, 2, 2}, HuffmanCodec.codeLengths(new long[] {3, 3, 3, 3}));
        assertArrayEquals(new int[] {4, 4, 3, 2, 1}, HuffmanCodec.codeLengths(new long[] {1, 2, 4, 8, 16}));
        assertArrayEquals(new int[] {1, 1}, HuffmanCodec.codeLengths(new long[] {1, 1000}));
        assertArrayEquals(new int[] {0}, HuffmanCodec.codeLengths(new long[] {42}));
    }

    @Test
    void huffmanLengthsAreLimitedAndComplete() {
        long[] fib = new long[40];
        fib[0] = 1;
        fib[1] = 1;
        for (int i = 2; i < fib.length; i++) {
            fib[i] = fib[i - 1] + fib[i - 2];
        }
        int[] lengths = HuffmanCodec.codeLengths(fib);
        double kraft = 0;
        for (int len : lengths) {
            assertTrue(len >= 1 && len <= HuffmanCodec.MAX_LENGTH, "length " + len);
            kraft += Math.pow(2, -len);
        }
        assertEquals(1.0, kraft, 1e-12);
    }

    @Test
    void huffmanSizeIsTheSumOfCodeLengthsWithinOnePercentPlusOneByte() {
        Random rnd = new Random(3);
        int[] s = new int[200_000];
        for (int i = 0; i < s.length; i++) {
            s[i] = (int) Math.abs(rnd.nextGaussian() * 6); // a peaked distribution, ~30 symbols
        }
        long codeBits = HuffmanCodec.codeBits(s);
        int bytes = HuffmanCodec.INSTANCE.encode(s, 64).length;
        assertTrue(bytes <= codeBits / 8.0 * 1.01 + 1, bytes + " bytes for " + codeBits + " bits of codes");
        assertTrue(bytes >= codeBits / 8.0, "cannot be smaller than its codes");
    }

    @Test
    void ransComesWithinOnePercentOfTheEntropyAndBeatsHuffmanOnSkewedStreams() {
        Random rnd = new Random(4);
        int[] s = new int[200_000];
        for (int i = 0; i < s.length; i++) {
            s[i] = rnd.nextDouble() < 0.95 ? 0 : 1 + rnd.nextInt(3); // H ~ 0.37 bits, Huffman needs >= 1
        }
        double entropy = SymbolHistogram.of(s).entropyBits();
        int rans = RansCodec.INSTANCE.encode(s, 4).length;
        int huffman = HuffmanCodec.INSTANCE.encode(s, 4).length;
        assertTrue(rans * 8 <= entropy * 1.01 + 64, rans * 8 + " bits vs entropy " + entropy);
        assertTrue(rans < huffman * 0.5, "rans " + rans + " vs huffman " + huffman);
    }

    @Test
    void corruptStreamsFailWithTheFormatsError() {
        Random rnd = new Random(5);
        int[] s = new int[3000];
        for (int i = 0; i < s.length; i++) {
            s[i] = rnd.nextInt(40) * rnd.nextInt(3);
        }
        for (EntropyCodec codec : CODECS) {
            byte[] good = codec.encode(s, 100);
            for (int trial = 0; trial < 300; trial++) {
                byte[] bad = good.clone();
                int cut = trial % 3 == 0 ? rnd.nextInt(bad.length) : bad.length;
                bad = java.util.Arrays.copyOf(bad, cut);
                if (cut == good.length) {
                    bad[rnd.nextInt(bad.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                try {
                    codec.decode(new ByteSource(bad, codec.name()), s.length, 100);
                } catch (GanCompressException expected) {
                    // a flipped bit may still decode (to other symbols): the container's CRC catches that
                }
            }
        }
        assertThrows(GanCompressException.class, () -> HuffmanCodec.INSTANCE.decode(
                new ByteSource(new byte[] {2, 0, 0, 1, 1}, "t"), 10, 4));
    }
}
