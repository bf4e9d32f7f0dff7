package dev.gancompress.metrics;

/**
 * Tiles of inner products between rows of two row-major matrices: out[r * bRows + c] = a_(a0+r) . b_(b0+c).
 * A 4 x 4 register block reads 8 rows once per dimension for 16 products, which keeps the sample-metric
 * passes compute-bound without a general GEMM; the sum over dimensions runs in one fixed order, so results
 * do not depend on how callers split rows across threads.
 */
final class InnerProducts {
    private InnerProducts() {
    }

    static void tile(float[] a, int a0, int aRows, float[] b, int b0, int bRows, int d, float[] out) {
        int r = 0;
        for (; r + 4 <= aRows; r += 4) {
            int p0 = (a0 + r) * d;
            int p1 = p0 + d;
            int p2 = p1 + d;
            int p3 = p2 + d;
            int c = 0;
            for (; c + 4 <= bRows; c += 4) {
                int q0 = (b0 + c) * d;
                int q1 = q0 + d;
                int q2 = q1 + d;
                int q3 = q2 + d;
                float s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
                float s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
                for (int k = 0; k < d; k++) {
                    float x0 = a[p0 + k], x1 = a[p1 + k], x2 = a[p2 + k], x3 = a[p3 + k];
                    float y0 = b[q0 + k], y1 = b[q1 + k], y2 = b[q2 + k], y3 = b[q3 + k];
                    s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
                    s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
                    s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
                    s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
                }
                int o = r * bRows + c;
                out[o] = s00; out[o + 1] = s01; out[o + 2] = s02; out[o + 3] = s03;
                o += bRows;
                out[o] = s10; out[o + 1] = s11; out[o + 2] = s12; out[o + 3] = s13;
                o += bRows;
                out[o] = s20; out[o + 1] = s21; out[o + 2] = s22; out[o + 3] = s23;
                o += bRows;
                out[o] = s30; out[o + 1] = s31; out[o + 2] = s32; out[o + 3] = s33;
            }
            for (; c < bRows; c++) {
                for (int i = 0; i < 4; i++) {
                    out[(r + i) * bRows + c] = dot(a, (a0 + r + i) * d, b, (b0 + c) * d, d);
                }
            }
        }
        for (; r < aRows; r++) {
            for (int c = 0; c < bRows; c++) {
                out[r * bRows + c] = dot(a, (a0 + r) * d, b, (b0 + c) * d, d);
            }
        }
    }

    static void tile(double[] a, int a0, int aRows, double[] b, int b0, int bRows, int d, double[] out) {
        int r = 0;
        for (; r + 4 <= aRows; r += 4) {
            int p0 = (a0 + r) * d;
            int p1 = p0 + d;
            int p2 = p1 + d;
            int p3 = p2 + d;
            int c = 0;
            for (; c + 4 <= bRows; c += 4) {
                int q0 = (b0 + c) * d;
                int q1 = q0 + d;
                int q2 = q1 + d;
                int q3 = q2 + d;
                double s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
                double s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
                for (int k = 0; k < d; k++) {
                    double x0 = a[p0 + k], x1 = a[p1 + k], x2 = a[p2 + k], x3 = a[p3 + k];
                    double y0 = b[q0 + k], y1 = b[q1 + k], y2 = b[q2 + k], y3 = b[q3 + k];
                    s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
                    s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
                    s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
                    s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
                }
                int o = r * bRows + c;
                out[o] = s00; out[o + 1] = s01; out[o + 2] = s02; out[o + 3] = s03;
                o += bRows;
                out[o] = s10; out[o + 1] = s11; out[o + 2] = s12; out[o + 3] = s13;
                o += bRows;
                out[o] = s20; out[o + 1] = s21; out[o + 2] = s22; out[o + 3] = s23;
                o += bRows;
                out[o] = s30; out[o + 1] = s31; out[o + 2] = s32; out[o + 3] = s33;
            }
            for (; c < bRows; c++) {
                for (int i = 0; i < 4; i++) {
                    out[(r + i) * bRows + c] = dot(a, (a0 + r + i) * d, b, (b0 + c) * d, d);
                }
            }
        }
        for (; r < aRows; r++) {
            for (int c = 0; c < bRows; c++) {
                out[r * bRows + c] = dot(a, (a0 + r) * d, b, (b0 + c) * d, d);
            }
        }
    }

    static float dot(float[] a, int ao, float[] b, int bo, int d) {
        float s = 0;
        for (int k = 0; k < d; k++) {
            s += a[ao + k] * b[bo + k];
        }
        return s;
    }

    static double dot(double[] a, int ao, double[] b, int bo, int d) {
        double s = 0;
        for (int k = 0; k < d; k++) {
            s += a[ao + k] * b[bo + k];
        }
        return s;
    }
}
