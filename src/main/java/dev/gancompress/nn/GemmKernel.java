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
        // Stores are written out rather than factored into a helper: a vector passed to a method that C2
        // declines to inline gets boxed, which turns into an allocation per tile.
        int r1 = co + ldc;
        int r2 = r1 + ldc;
        int r3 = r2 + ldc;
        int r4 = r3 + ldc;
        int r5 = r4 + ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(s, c, co));
            c01 = c01.add(FloatVector.fromArray(s, c, co + LANES));
            c10 = c10.add(FloatVector.fromArray(s, c, r1));
            c11 = c11.add(FloatVector.fromArray(s, c, r1 + LANES));
            c20 = c20.add(FloatVector.fromArray(s, c, r2));
            c21 = c21.add(FloatVector.fromArray(s, c, r2 + LANES));
            c30 = c30.add(FloatVector.fromArray(s, c, r3));
            c31 = c31.add(FloatVector.fromArray(s, c, r3 + LANES));
            c40 = c40.add(FloatVector.fromArray(s, c, r4));
            c41 = c41.add(FloatVector.fromArray(s, c, r4 + LANES));
            c50 = c50.add(FloatVector.fromArray(s, c, r5));
            c51 = c51.add(FloatVector.fromArray(s, c, r5 + LANES));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + LANES);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + LANES);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + LANES);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + LANES);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + LANES);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + LANES);
    }
}
