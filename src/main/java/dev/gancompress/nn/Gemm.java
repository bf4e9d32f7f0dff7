package dev.gancompress.nn;

import static dev.gancompress.nn.GemmKernel.MR;
import static dev.gancompress.nn.GemmKernel.NR;

import java.util.Arrays;

/**
 * Single-precision matrix multiply on row-major arrays: C = op(A) * op(B) (+ C when accumulate).
 * op(A) is m x k, op(B) is k x n. When transA, A is stored k x m with row stride lda; likewise B.
 * Every C element is reduced over k in one fixed order by one thread, so results do not depend on the
 * thread count.
 *
 * <p>Structure after GotoBLAS/BLIS (Goto and van de Geijn, ACM TOMS 2008): B is packed in kc x nc panels,
 * A in mc x kc blocks sized for L2, and {@link GemmKernel} computes MR x NR tiles in registers. The k
 * blocking depends on k alone, and threads split C into disjoint column (or row) ranges, never k, so a
 * C element sees the same sequence of roundings whatever the thread count or the split.
 */
public final class Gemm {
    /** Largest k block: a kc x NR B micro-panel (16 KiB at NR = 16) stays in L1 while A streams by. */
    static final int KC_MAX = 256;
    /** Rows of A per packed block: 144 x 256 floats = 144 KiB, well inside a 512 KiB L2. */
    static final int MC = 24 * MR;
    /** Columns of B per packed panel: 3 MiB at kc = 256, shared L3 sized. A multiple of NR. */
    static final int NC = 192 * NR;
    /** Columns of B packed at a time during the first A block: 256 KiB at kc = 256, still in L2 for the kernel. */
    static final int NQ = 16 * NR;
    /** Below this many multiply-adds, handing work to the pool costs more than it saves. */
    private static final long PARALLEL_MIN_MACS = 1L << 18;

    /** Per-thread packing buffers, grown on demand and kept, so steady-state calls allocate none. */
    private static final class Workspace {
        float[] a = new float[0];
        float[] b = new float[0];
        final float[] tile = new float[MR * NR];

        float[] a(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] b(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private Gemm() {
    }

    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        checkMatrix("C", c, cOff, ldc, m, n);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        int threads = Parallel.threads();
        if (threads == 1 || (long) m * n * k < PARALLEL_MIN_MACS) {
            block(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, 0, m, 0, n);
            return;
        }
        int rowTiles = (m + MR - 1) / MR;
        int colTiles = (n + NR - 1) / NR;
        // Split the dimension whose tiles divide more evenly among the threads. When both divide about as
        // evenly, split the longer side: every thread packs all of the other operand (A when splitting
        // columns, B when splitting rows), so that operand should be the smaller one.
        double byColumns = imbalance(colTiles, threads);
        double byRows = imbalance(rowTiles, threads);
        boolean splitColumns = Math.abs(byColumns - byRows) < 0.02 ? m <= n : byColumns < byRows;
        if (splitColumns) {
            Parallel.forRange(colTiles, 1, (s, e) -> block(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb,
                    c, cOff, ldc, accumulate, 0, m, s * NR, Math.min(n, e * NR)));
        } else {
            Parallel.forRange(rowTiles, 1, (s, e) -> block(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb,
                    c, cOff, ldc, accumulate, s * MR, Math.min(m, e * MR), 0, n));
        }
    }

    /** Largest share over the mean share when {@code tiles} are dealt to {@code threads}. */
    private static double imbalance(int tiles, int threads) {
        int used = Math.min(tiles, threads);
        return (double) ((tiles + used - 1) / used) * threads / tiles;
    }

    /** The k block length; a function of k alone, so any split of C rounds the same way. */
    static int kBlock(int k) {
        int blocks = (k + KC_MAX - 1) / KC_MAX;
        return (k + blocks - 1) / blocks;
    }

    /**
     * C[i0..i1) x [j0..j1) on the calling thread. B is packed NQ columns at a time just before the first A
     * block uses them, so the kernel reads freshly packed panels from L2 rather than a 3 MiB panel from L3.
     * This matters when m is small (the im2col shapes have m = 64..128): there each B panel is used by only
     * one A block and packing is a large share of the work.
     */
    private static void block(boolean transA, boolean transB, int m, int n, int k,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc, boolean accumulate, int i0, int i1, int j0, int j1) {
        Workspace w = WORKSPACE.get();
        int kcStd = kBlock(k);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            int ncPadded = (nc + NR - 1) / NR * NR;
            for (int pc = 0; pc < k; pc += kcStd) {
                int kc = Math.min(kcStd, k - pc);
                boolean add = accumulate || pc > 0;
                float[] bp = w.b(ncPadded * kc);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    float[] ap = w.a((mc + MR - 1) / MR * MR * kc);
                    GemmPacking.packA(transA, a, aOff, lda, ic, mc, pc, kc, ap);
                    for (int jq = 0; jq < nc; jq += NQ) {
                        int nq = Math.min(NQ, nc - jq);
                        if (ic == i0) {
                            GemmPacking.packB(transB, b, bOff, ldb, pc, kc, jc + jq, nq, bp, jq * kc);
                        }
                        for (int jr = jq; jr < jq + nq; jr += NR) {
                            panel(kc, ap, mc, bp, jr * kc, Math.min(NR, nc - jr), c, cOff + ic * ldc + jc + jr,
                                    ldc, add, w.tile);
                        }
                    }
                }
            }
        }
    }

    /** One B micro-panel (cols &lt;= NR wide) times the packed mc x kc A block, into C at c[co]. */
    private static void panel(int kc, float[] ap, int mc, float[] bp, int bo, int cols, float[] c, int co, int ldc,
                              boolean add, float[] tile) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int ao = ir * kc;
            int at = co + ir * ldc;
            if (rows == MR && cols == NR) {
                GemmKernel.tile(kc, ap, ao, bp, bo, c, at, ldc, add);
            } else {
                GemmKernel.tile(kc, ap, ao, bp, bo, tile, 0, NR, false);
                for (int r = 0; r < rows; r++) {
                    int ci = at + r * ldc;
                    int ti = r * NR;
                    for (int j = 0; j < cols; j++) {
                        c[ci + j] = add ? c[ci + j] + tile[ti + j] : tile[ti + j];
                    }
                }
            }
        }
    }

    private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
        if (x == null) {
            throw new IllegalArgumentException("gemm matrix " + name + " is null");
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        if (off < 0 || ld < cols) {
            throw new IllegalArgumentException("gemm matrix " + name + ": offset " + off + " and row stride " + ld
                    + " must be >= 0 and >= the stored width " + cols);
        }
        long last = off + (long) (rows - 1) * ld + cols;
        if (last > x.length) {
            throw new IllegalArgumentException("gemm matrix " + name + ": " + rows + " x " + cols + " at offset "
                    + off + " with row stride " + ld + " needs " + last + " floats, array has " + x.length);
        }
    }

    /** The naive triple loop; the oracle for tests. */
    public static void reference(boolean transA, boolean transB, int m, int n, int k,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }
}
