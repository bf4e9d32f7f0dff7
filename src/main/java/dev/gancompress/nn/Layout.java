package dev.gancompress.nn;

import dev.gancompress.model.Shape;

/**
 * Index arithmetic between the public batch-first layout and the engine's channel-major one. A per-sample
 * shape [D, rest...] with R = prod(rest) is stored as [D][N][R]; element e of sample n lives at
 * (e / R) N R + n R + e % R. A label (rank 0) is stored as [N].
 */
final class Layout {
    /** Below this many elements a conversion runs on the calling thread: a parallel region costs more. */
    private static final int PARALLEL_MIN = 1 << 16;

    private Layout() {
    }

    static int inner(Shape s) {
        return s.rank() == 0 ? 1 : s.size() / s.dim(0);
    }

    static int index(Shape s, int batch, int n, int e) {
        int r = inner(s);
        return (e / r) * batch * r + n * r + e % r;
    }

    /** Batch-first -> channel-major. */
    static void toInternal(float[] src, Shape s, int batch, float[] dst) {
        if (s.rank() <= 1 && s.size() == 1 || s.rank() == 0) {
            System.arraycopy(src, 0, dst, 0, batch);
            return;
        }
        int d0 = s.rank() == 0 ? 1 : s.dim(0);
        int r = inner(s);
        Parallel.forRange(d0, d0 * r * batch < PARALLEL_MIN ? d0 : 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                for (int n = 0; n < batch; n++) {
                    System.arraycopy(src, (n * d0 + c) * r, dst, (c * batch + n) * r, r);
                }
            }
        });
    }

    /** Channel-major -> batch-first. */
    static void toPublic(float[] src, Shape s, int batch, float[] dst) {
        if (s.rank() <= 1 && s.size() == 1 || s.rank() == 0) {
            System.arraycopy(src, 0, dst, 0, batch);
            return;
        }
        int d0 = s.dim(0);
        int r = inner(s);
        Parallel.forRange(d0, d0 * r * batch < PARALLEL_MIN ? d0 : 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                for (int n = 0; n < batch; n++) {
                    System.arraycopy(src, (c * batch + n) * r, dst, (n * d0 + c) * r, r);
                }
            }
        });
    }
}
