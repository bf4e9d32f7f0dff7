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
    /** Chunks per thread of a GEMM on packed weights. */
    private static final int CHUNKS_PER_THREAD = 4;
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
        run(transA, transB, m, n, k, a, aOff, lda, null, b, bOff, ldb, c, cOff, ldc, accumulate, null);
    }

    /**
     * op(A) of a matrix that is multiplied many times (a layer's weights at inference), packed once into the
     * micro-panel order of {@link #block}: k block by k block, each holding all m rows (padded to MR) as the
     * packing of one A block would lay them out. A GEMM on it skips packing A, which at batch 1 costs as much
     * as the multiply itself (every weight is used for only H*W columns).
     */
    static final class PackedA {
        final int m;
        final int k;
        final int mPadded;
        final float[] data;

        private PackedA(int m, int k, float[] data) {
            this.m = m;
            this.k = k;
            this.mPadded = (m + MR - 1) / MR * MR;
            this.data = data;
        }

        /** Offset of the packed rows [i0 ..) of the k block that starts at pc; i0 a multiple of MR. */
        int offset(int pc, int kc, int i0) {
            return pc * mPadded + i0 * kc;
        }
    }

    /** Packs op(A) (m x k; stored k x m when transA) once, for {@link #gemm(PackedA, int, float[], int, int, float[], int, int, Epilogue)}. */
    static PackedA pack(boolean transA, int m, int k, float[] a, int aOff, int lda) {
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        int mPadded = (m + MR - 1) / MR * MR;
        float[] data = new float[mPadded * k];
        int kcStd = kBlock(Math.max(k, 1));
        for (int pc = 0; pc < k; pc += kcStd) {
            int kc = Math.min(kcStd, k - pc);
            float[] block = new float[mPadded * kc];
            GemmPacking.packA(transA, a, aOff, lda, 0, m, pc, kc, block);
            System.arraycopy(block, 0, data, pc * mPadded, block.length);
        }
        return new PackedA(m, k, data);
    }

    /**
     * C = A * B for a packed A, then the epilogue on every row of C (bias and activation, see {@link Epilogue})
     * while the tile is still in cache; a null epilogue leaves C as the product. B is k x n, not transposed.
     * Rounding is that of {@link #gemm}: the same k blocks in the same order.
     */
    static void gemm(PackedA a, int n, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                     Epilogue epilogue) {
        int m = a.m;
        int k = a.k;
        checkMatrix("B", b, bOff, ldb, k, n);
        checkMatrix("C", c, cOff, ldc, m, n);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                if (epilogue != null) {
                    epilogue.apply(c, cOff + i * ldc, n, i);
                }
            }
            return;
        }
        run(false, false, m, n, k, null, 0, 0, a, b, bOff, ldb, c, cOff, ldc, false, epilogue);
    }

    /**
     * Rows [i0, i1) of C = A * B for a packed A, on the calling thread, with the epilogue; i0 a multiple of MR.
     * For callers that split a layer by output rows themselves and do more work on the rows in the same chunk.
     */
    static void gemmRows(PackedA a, int i0, int i1, int n, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                         Epilogue epilogue) {
        if (i0 % MR != 0 || i0 < 0 || i1 > a.m || i0 > i1) {
            throw new IllegalArgumentException("packed rows [" + i0 + ", " + i1 + ") must start at a multiple of "
                    + MR + " inside [0, " + a.m + ")");
        }
        checkMatrix("B", b, bOff, ldb, a.k, n);
        checkMatrix("C", c, cOff, ldc, a.m, n);
        if (i0 == i1 || n == 0) {
            return;
        }
        block(false, false, a.m, n, a.k, null, 0, 0, a, b, bOff, ldb, c, cOff, ldc, false, epilogue, i0, i1, 0, n);
    }

    private static void run(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                            PackedA pa, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                            boolean accumulate, Epilogue ep) {
        int threads = Parallel.threads();
        if (threads == 1 || (long) m * n * k < PARALLEL_MIN_MACS || Parallel.insideWorker()) {
            block(transA, transB, m, n, k, a, aOff, lda, pa, b, bOff, ldb, c, cOff, ldc, accumulate, ep,
                    0, m, 0, n);
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
        if (pa != null) {
            // inference on packed weights: no A to pack per chunk, so small chunks claimed dynamically cost little
            // and keep a descheduled worker from holding the call (Parallel.forChunks)
            if (splitColumns) {
                Parallel.forChunks(colTiles, 1, CHUNKS_PER_THREAD, (s, e) -> block(transA, transB, m, n, k, a, aOff,
                        lda, pa, b, bOff, ldb, c, cOff, ldc, accumulate, ep, 0, m, s * NR, Math.min(n, e * NR)));
            } else {
                Parallel.forChunks(rowTiles, 1, CHUNKS_PER_THREAD, (s, e) -> block(transA, transB, m, n, k, a, aOff,
                        lda, pa, b, bOff, ldb, c, cOff, ldc, accumulate, ep, s * MR, Math.min(m, e * MR), 0, n));
            }
        } else if (splitColumns) {
            Parallel.forRange(colTiles, 1, (s, e) -> block(transA, transB, m, n, k, a, aOff, lda, pa, b, bOff, ldb,
                    c, cOff, ldc, accumulate, ep, 0, m, s * NR, Math.min(n, e * NR)));
        } else {
            Parallel.forRange(rowTiles, 1, (s, e) -> block(transA, transB, m, n, k, a, aOff, lda, pa, b, bOff, ldb,
                    c, cOff, ldc, accumulate, ep, s * MR, Math.min(m, e * MR), 0, n));
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
                              float[] a, int aOff, int lda, PackedA pa, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc, boolean accumulate, Epilogue ep,
                              int i0, int i1, int j0, int j1) {
        Workspace w = WORKSPACE.get();
        int kcStd = kBlock(k);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            int ncPadded = (nc + NR - 1) / NR * NR;
            for (int pc = 0; pc < k; pc += kcStd) {
                int kc = Math.min(kcStd, k - pc);
                boolean add = accumulate || pc > 0;
                Epilogue last = pc + kc == k ? ep : null;
                float[] bp = w.b(ncPadded * kc);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    float[] ap;
                    int ao;
                    if (pa != null) {
                        ap = pa.data;
                        ao = pa.offset(pc, kc, ic);
                    } else {
                        ap = w.a((mc + MR - 1) / MR * MR * kc);
                        ao = 0;
                        GemmPacking.packA(transA, a, aOff, lda, ic, mc, pc, kc, ap);
                    }
                    for (int jq = 0; jq < nc; jq += NQ) {
                        int nq = Math.min(NQ, nc - jq);
                        if (ic == i0) {
                            GemmPacking.packB(transB, b, bOff, ldb, pc, kc, jc + jq, nq, bp, jq * kc);
                        }
                        for (int jr = jq; jr < jq + nq; jr += NR) {
                            panel(kc, ap, ao, mc, bp, jr * kc, Math.min(NR, nc - jr), c, cOff + ic * ldc + jc + jr,
                                    ldc, add, w.tile, last, ic);
                        }
                    }
                }
            }
        }
    }

    /**
     * One B micro-panel (cols &lt;= NR wide) times the packed mc x kc A block at ap[a0 ..], into C at c[co];
     * then the epilogue, if any, on each row of the tile (C row row0 + ir + r).
     */
    private static void panel(int kc, float[] ap, int a0, int mc, float[] bp, int bo, int cols, float[] c, int co,
                              int ldc, boolean add, float[] tile, Epilogue ep, int row0) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int ao = a0 + ir * kc;
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
            if (ep != null) {
                for (int r = 0; r < rows; r++) {
                    ep.apply(c, at + r * ldc, cols, row0 + ir + r);
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
