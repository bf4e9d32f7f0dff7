package dev.gancompress.compress.encode;

import dev.gancompress.onnx.OnnxTensor;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparseIndexCodingTest {
    @Test
    void relativeIndicesWithFillersOnAHandExample() {
        // span 2^2 = 4: a gap of 8 zeros needs two fillers (Han et al. 2016, Figure 2, with 2-bit instead of 3-bit)
        int[] e = {0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 7};
        SparseIndexCoding.Relative r = SparseIndexCoding.relative(e, 0, 2);
        assertArrayEquals(new int[] {3, 3, 3, 0}, r.gaps());
        assertArrayEquals(new int[] {3, 7, 11, 12}, r.positions());
        assertArrayEquals(r.positions(), SparseIndexCoding.positionsFromGaps(r.gaps(), e.length,
                new ByteSource(new byte[0], "t")));
    }

    @Test
    void relativeAndCsrRoundTripAtEveryWidthAndCountFillersAsDeepCompressionDoes() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 40; trial++) {
            int rows = 1 + rnd.nextInt(20);
            int cols = 1 + rnd.nextInt(300);
            double density = rnd.nextDouble() * 0.3;
            int[] e = new int[rows * cols];
            for (int i = 0; i < e.length; i++) {
                e[i] = rnd.nextDouble() < density ? 1 + rnd.nextInt(9) : 0;
            }
            for (int bits = 1; bits <= 8; bits++) {
                SparseIndexCoding.Relative r = SparseIndexCoding.relative(e, 0, bits);
                int[] pos = SparseIndexCoding.positionsFromGaps(r.gaps(), e.length, new ByteSource(new byte[0], "t"));
                assertArrayEquals(r.positions(), pos);
                long expected = 0;
                int previous = -1;
                for (int i = 0; i < e.length; i++) {
                    if (e[i] != 0) {
                        expected += 1 + (i - previous - 1) / (1 << bits);
                        previous = i;
                    }
                }
                assertEquals(expected, r.gaps().length, "entries = nonzeros + floor(gap / 2^b) fillers");
                int[] back = new int[e.length];
                for (int p : pos) {
                    back[p] = e[p];
                }
                assertArrayEquals(e, back);
            }
            SparseIndexCoding.Csr c = SparseIndexCoding.csr(e, 0, rows);
            int[] pos = SparseIndexCoding.positionsFromCsr(c.rowCounts(), c.columns(), cols,
                    new ByteSource(new byte[0], "t"));
            assertArrayEquals(c.positions(), pos);
        }
    }

    @Test
    void sparseTensorsRoundTripThroughEveryLayoutTheCodecPicks() {
        Random rnd = new Random(12);
        Set<String> layouts = new HashSet<>();
        for (int trial = 0; trial < 60; trial++) {
            int rows = 1 + rnd.nextInt(64);
            int cols = 1 + rnd.nextInt(400);
            double density = trial % 3 == 0 ? 0.002 + rnd.nextDouble() * 0.02 : trial % 3 == 1
                    ? rnd.nextDouble() * 0.5 : 0.9;
            float[] f = new float[rows * cols];
            for (int i = 0; i < f.length; i++) {
                f[i] = rnd.nextDouble() < density ? (float) rnd.nextGaussian() : 0f;
            }
            OnnxTensor t = OnnxTensor.ofFloats("t", new int[] {rows, cols}, f);
            TensorSymbols s = TensorSymbols.of(t);
            TensorCodec.Choice choice = TensorCodec.encode(s, rows, CodedStream.CODECS);
            layouts.add(choice.layout().replaceAll("-\\d+bit", ""));
            TensorCodec.Decoded d = TensorCodec.decode(new ByteSource(choice.payload(), "t"), OnnxTensor.FLOAT,
                    f.length, rows);
            assertArrayEquals(s.elements(), d.symbols().elements(), choice.layout());
            assertEquals(choice.layout(), d.layout());
        }
        assertTrue(layouts.containsAll(Set.of("dense", "relative", "csr")), layouts.toString());
    }
}
