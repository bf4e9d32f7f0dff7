package dev.gancompress.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernel of the GotoBLAS/BLIS scheme (Goto and van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication", ACM TOMS 2008; Van Zee and van de Geijn, "BLIS", TOMS 2015):
 * an MR x NR block of C lives in registers while the kernel streams one packed A micro-panel (MR values per
 * k step) and one packed B micro-panel (NR values per k step), one broadcast and two FMAs per A value.
 *
 * <p>MR = 6 and NR = two vectors: 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 AVX2 registers,
 * the classic Haswell/Zen shape. The species is the preferred one, not a forced 512 bit: on a CPU without
 * AVX-512 (this project's machines report UseAVX=2, MaxVectorSize=32) SPECIES_512 is not intrinsified and
 * runs ~100x slower than 256 bit. With AVX-512 the same code becomes a 6 x 32 kernel.
 *
 * <p>Each accumulator starts at zero and sums its k block in increasing k, then is added once to C, so the
 * arithmetic of an element does not depend on which thread computes it.
 */
final class GemmKernel {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Rows of C per micro-tile. */
    static final int MR = 6;
    /** Columns of C per micro-tile: two vectors. */
    static final int NR = 2 * LANES;

    private GemmKernel() {
    }

    /**
     * C[r][j] = (add ? C[r][j] : 0) + sum over p &lt; kc of ap[ao + p*MR + r] * bp[bo + p*NR + j] for the
     * full MR x NR tile at c[co] with row stride ldc.
     */
    static void tile(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        VectorSpecies<Float> s = SPECIES;
        FloatVector c00 = FloatVector.zero(s);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        int a = ao;
        int b = bo;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(s, bp, b);
            FloatVector b1 = FloatVector.fromArray(s, bp, b + LANES);
            FloatVector x = FloatVector.broadcast(s, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(s, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(s, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(s, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(s, ap[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(s, ap[a + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            a += MR;
            b += NR;
        }
        store(c, co, c00, c01, add);
        store(c, co + ldc, c10, c11, add);
        store(c, co + 2 * ldc, c20, c21, add);
        store(c, co + 3 * ldc, c30, c31, add);
        store(c, co + 4 * ldc, c40, c41, add);
        store(c, co + 5 * ldc, c50, c51, add);
    }

    private static void store(float[] c, int at, FloatVector v0, FloatVector v1, boolean add) {
        if (add) {
            v0 = FloatVector.fromArray(SPECIES, c, at).add(v0);
            v1 = FloatVector.fromArray(SPECIES, c, at + LANES).add(v1);
        }
        v0.intoArray(c, at);
        v1.intoArray(c, at + LANES);
    }
}
