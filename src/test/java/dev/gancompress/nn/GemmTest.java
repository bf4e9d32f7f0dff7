package dev.gancompress.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GemmTest {
    /** A GEMM problem embedded in larger arrays: offsets and row strides wider than the rows. */
    private record Problem(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                           float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        static Problem random(boolean transA, boolean transB, int m, int n, int k, long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int lda = (transA ? m : k) + 3;
            int ldb = (transB ? k : n) + 5;
            int ldc = n + 2;
            int aOff = 7;
            int bOff = 11;
            int cOff = 13;
            float[] a = fill(new float[aOff + (transA ? k : m) * lda + 4], rnd);
            float[] b = fill(new float[bOff + (transB ? n : k) * ldb + 4], rnd);
            float[] c = fill(new float[cOff + m * ldc + 4], rnd);
            return new Problem(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }

        float[] run(boolean accumulate) {
            float[] out = c.clone();
            Gemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, out, cOff, ldc, accumulate);
            return out;
        }

        float[] reference(boolean accumulate) {
            float[] out = c.clone();
            Gemm.reference(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, out, cOff, ldc, accumulate);
            return out;
        }

        float av(int i, int p) {
            return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        }

        float bv(int p, int j) {
            return transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
        }

        /** sum |a||b| (+ |c| when accumulating): the scale that rounding error is relative to. */
        double scale(int i, int j, boolean accumulate) {
            double s = accumulate ? Math.abs(c[cOff + i * ldc + j]) : 0;
            for (int p = 0; p < k; p++) {
                s += Math.abs(av(i, p) * bv(p, j));
            }
            return s;
        }
    }

    private static float[] fill(float[] x, SplittableRandom rnd) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }

    static Stream<Arguments> shapes() {
        int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {65, 129, 31}, {7, 40, 300}, {150, 20, 513}, {2, 3100, 5}};
        Stream.Builder<Arguments> out = Stream.builder();
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++) {
                for (boolean acc : new boolean[] {false, true}) {
                    out.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, acc));
                }
            }
        }
        return out.build();
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} accumulate={5}")
    @MethodSource("shapes")
    void matchesReferenceWithOffsetsAndStrides(int m, int n, int k, boolean transA, boolean transB,
                                               boolean accumulate) {
        Problem p = Problem.random(transA, transB, m, n, k, 31L * m + 7L * n + k);
        float[] got = p.run(accumulate);
        float[] want = p.reference(accumulate);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int at = p.cOff() + i * p.ldc() + j;
                double tol = 1e-5 * Math.max(p.scale(i, j, accumulate), 1e-30);
                assertThat((double) got[at]).as("C[%d][%d]", i, j).isCloseTo(want[at], offset(tol));
            }
        }
        assertUntouchedOutside(p, got);
    }

    /** Padding around C (row gaps, before the offset, after the end) must keep its values. */
    private static void assertUntouchedOutside(Problem p, float[] got) {
        for (int x = 0; x < got.length; x++) {
            int rel = x - p.cOff();
            boolean inside = rel >= 0 && rel / p.ldc() < p.m() && rel % p.ldc() < p.n();
            if (!inside) {
                assertThat(got[x]).as("C padding at %d", x).isEqualTo(p.c()[x]);
            }
        }
    }

    @Test
    void emptyKZeroesOrKeepsC() {
        float[] c = {1, 2, 3, 4, 5, 6};
        float[] none = new float[0];
        Gemm.gemm(false, false, 2, 3, 0, none, 0, 0, none, 0, 0, c, 0, 3, true);
        assertThat(c).containsExactly(1, 2, 3, 4, 5, 6);
        Gemm.gemm(true, true, 2, 2, 0, none, 0, 0, none, 0, 0, c, 1, 3, false);
        assertThat(c).containsExactly(1, 0, 0, 4, 0, 0);
    }

    @Test
    void emptyMOrNLeavesCAlone() {
        float[] c = {9};
        Gemm.gemm(false, false, 0, 1, 4, new float[0], 0, 4, new float[4], 0, 1, c, 0, 1, false);
        Gemm.gemm(false, false, 1, 0, 4, new float[4], 0, 4, new float[0], 0, 0, c, 0, 0, false);
        assertThat(c).containsExactly(9);
    }

    @Test
    void repeatedCallsAreBitIdentical() {
        Problem p = Problem.random(false, true, 150, 300, 700, 5);
        assertBitIdentical(p.run(false), p.run(false), "two calls, accumulate=false");
        assertBitIdentical(p.run(true), p.run(true), "two calls, accumulate=true");
    }

    /**
     * Any split of C over columns (or rows) gives bit-identical elements, which is what makes the threaded
     * result independent of the thread count: no k reduction is ever split.
     */
    @Test
    void columnAndRowBlocksEqualTheWholeProductBitForBit() {
        for (int t = 0; t < 4; t++) {
            boolean transA = (t & 1) != 0;
            boolean transB = (t & 2) != 0;
            Problem p = Problem.random(transA, transB, 70, 200, 600, 100 + t);
            float[] whole = p.run(true);
            float[] byColumns = p.c().clone();
            for (int j0 = 0; j0 < p.n(); j0 += 37) {
                int w = Math.min(37, p.n() - j0);
                int bAt = p.bOff() + (transB ? j0 * p.ldb() : j0);
                Gemm.gemm(transA, transB, p.m(), w, p.k(), p.a(), p.aOff(), p.lda(), p.b(), bAt, p.ldb(),
                        byColumns, p.cOff() + j0, p.ldc(), true);
            }
            assertBitIdentical(whole, byColumns, "column blocks, transA=" + transA + " transB=" + transB);
            float[] byRows = p.c().clone();
            for (int i0 = 0; i0 < p.m(); i0 += 11) {
                int h = Math.min(11, p.m() - i0);
                int aAt = p.aOff() + (transA ? i0 : i0 * p.lda());
                Gemm.gemm(transA, transB, h, p.n(), p.k(), p.a(), aAt, p.lda(), p.b(), p.bOff(), p.ldb(),
                        byRows, p.cOff() + i0 * p.ldc(), p.ldc(), true);
            }
            assertBitIdentical(whole, byRows, "row blocks, transA=" + transA + " transB=" + transB);
        }
    }

    /** Reports the first differing element only; a whole-array diff of thousands of floats is unreadable. */
    private static void assertBitIdentical(float[] want, float[] got, String what) {
        assertThat(got).as(what).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                assertThat(Float.floatToRawIntBits(got[i]))
                        .as("%s: first difference at index %d, got %s want %s", what, i, got[i], want[i])
                        .isEqualTo(Float.floatToRawIntBits(want[i]));
            }
        }
    }

    @Test
    void rejectsNegativeSizesAndShortArrays() {
        float[] x = new float[4];
        assertThatThrownBy(() -> Gemm.gemm(false, false, -1, 1, 1, x, 0, 1, x, 0, 1, x, 0, 1, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m=-1");
        assertThatThrownBy(() -> Gemm.gemm(false, false, 2, 2, 2, x, 0, 2, x, 1, 2, x, 0, 2, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("matrix B");
        assertThatThrownBy(() -> Gemm.gemm(false, false, 2, 2, 2, x, 0, 1, x, 0, 2, x, 0, 2, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row stride 1");
    }
}
