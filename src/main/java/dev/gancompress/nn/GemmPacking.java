package dev.gancompress.nn;

import static dev.gancompress.nn.GemmKernel.LANES;
import static dev.gancompress.nn.GemmKernel.MR;
import static dev.gancompress.nn.GemmKernel.NR;
import static dev.gancompress.nn.GemmKernel.SPECIES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Copies blocks of A and B into the contiguous micro-panel order that {@link GemmKernel} streams, taking
 * care of the transposes here so the kernel sees one layout. Partial micro-panels are padded with zeros so
 * edge tiles run the same kernel; a padded row or column only feeds padded outputs, which are discarded,
 * so padding never touches a real element (not even with Inf * 0).
 *
 * <p>The transposing copies are scalar on purpose: on JDK 17 the Vector API's two-input rearrange (needed for
 * an 8 x 8 register transpose) measured ~10 cycles per element against ~1.5 for the scalar loop, and
 * gathers were no faster than scalar either.
 *
 * <p>Packed A: for each group of MR rows, kc steps of MR consecutive values. Packed B: for each group of NR
 * columns, kc steps of NR consecutive values.
 */
final class GemmPacking {
    private GemmPacking() {
    }

    /** Packs op(A)[i0 .. i0+mc) x [p0 .. p0+kc) into dst[0 ..). */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc, float[] dst) {
        int d = 0;
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int i = i0 + ir;
            if (transA) {
                // Stored k x m: MR consecutive values per k step, already in the packed order.
                int src = aOff + p0 * lda + i;
                if (rows == MR) {
                    for (int p = 0; p < kc; p++, src += lda, d += MR) {
                        dst[d] = a[src];
                        dst[d + 1] = a[src + 1];
                        dst[d + 2] = a[src + 2];
                        dst[d + 3] = a[src + 3];
                        dst[d + 4] = a[src + 4];
                        dst[d + 5] = a[src + 5];
                    }
                } else {
                    for (int p = 0; p < kc; p++, src += lda, d += MR) {
                        for (int r = 0; r < MR; r++) {
                            dst[d + r] = r < rows ? a[src + r] : 0f;
                        }
                    }
                }
            } else {
                // Stored m x k: read each row contiguously, write with stride MR.
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (i + r) * lda + p0;
                    for (int p = 0, w = d + r; p < kc; p++, w += MR) {
                        dst[w] = a[src + p];
                    }
                }
                for (int r = rows; r < MR; r++) {
                    for (int p = 0, w = d + r; p < kc; p++, w += MR) {
                        dst[w] = 0f;
                    }
                }
                d += kc * MR;
            }
        }
    }

    /**
     * Packs op(B)[p0 .. p0+kc) x [j0 .. j0+nc) as consecutive micro-panels into dst[d ..), zero-padding the
     * last one past nc. Without a transpose each stored row segment is read front to back, so the hardware
     * prefetcher sees nc/16 sequential cache lines per row instead of one line in each of kc rows.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
                      float[] dst, int d) {
        int full = nc / NR;
        int rest = nc - full * NR;
        int panel = kc * NR;
        if (transB) {
            for (int u = 0; u <= full; u++) {
                int cols = u < full ? NR : rest;
                if (cols > 0) {
                    packTransposed(b, bOff + (j0 + u * NR) * ldb + p0, ldb, kc, cols, dst, d + u * panel);
                }
            }
            return;
        }
        int tail = d + full * panel;
        for (int p = 0, src = bOff + p0 * ldb + j0, w = d; p < kc; p++, src += ldb, w += NR) {
            for (int u = 0; u < full; u++) {
                int s = src + u * NR;
                int t = w + u * panel;
                FloatVector.fromArray(SPECIES, b, s).intoArray(dst, t);
                FloatVector.fromArray(SPECIES, b, s + LANES).intoArray(dst, t + LANES);
            }
            if (rest > 0) {
                int t = tail + p * NR;
                System.arraycopy(b, src + full * NR, dst, t, rest);
                Arrays.fill(dst, t + rest, t + NR, 0f);
            }
        }
    }

    /** One micro-panel from B stored n x k: column c of the panel is the stored row at src + c * ldb. */
    private static void packTransposed(float[] b, int src, int ldb, int kc, int cols, float[] dst, int d) {
        for (int c = 0; c < cols; c++) {
            int s = src + c * ldb;
            for (int p = 0, w = d + c; p < kc; p++, w += NR) {
                dst[w] = b[s + p];
            }
        }
        if (cols < NR) {
            for (int p = 0, w = d; p < kc; p++, w += NR) {
                Arrays.fill(dst, w + cols, w + NR, 0f);
            }
        }
    }
}
