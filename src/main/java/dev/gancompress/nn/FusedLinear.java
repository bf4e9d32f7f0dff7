package dev.gancompress.nn;

import dev.gancompress.model.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inference form of Linear [-> Reshape to [C, H, W]] [-> BatchNorm] [-> activation]: the BatchNorm scale folded
 * into the weight rows, bias, shift and activation applied per tile in the GEMM epilogue, and the reshape (a
 * permutation in the channel-major layout, [F][N] to [C][N][H*W]) done as one copy of the finished rows.
 *
 * <p>At a batch of at most {@link #SMALL_BATCH} the GEMM would waste most of its NR-wide tiles on one or two
 * columns, so the product runs as a matrix-vector product over the transposed weights instead: per sample, each
 * group of output features keeps its sums in registers while the weight rows stream by, summing over k in the
 * same order as the GEMM micro-kernel (fma from zero), so both paths round alike for k &lt;= 256.
 */
final class FusedLinear implements Kernel {
    static final int SMALL_BATCH = 2;
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private final int in;
    private final int features;
    private final int spatial;
    private final Gemm.PackedA packed;
    /** W'^T as [in][features], for the small-batch path. */
    private final float[] transposed;
    private final float[] bias;
    private final Epilogue rowEpilogue;
    private final Epilogue activation;
    private float[] scratch;

    /**
     * @param weight  W' [features][in], BatchNorm scale already folded in
     * @param bias    fused bias per feature, or null
     * @param spatial H*W of the reshape target (1 without a reshape)
     */
    FusedLinear(int in, int features, float[] weight, float[] bias, Activation act, int spatial) {
        this.in = in;
        this.features = features;
        this.spatial = spatial;
        this.packed = Gemm.pack(false, features, in, weight, 0, in);
        this.transposed = new float[in * features];
        for (int f = 0; f < features; f++) {
            for (int k = 0; k < in; k++) {
                transposed[k * features + f] = weight[f * in + k];
            }
        }
        this.bias = bias;
        this.rowEpilogue = new Epilogue(bias, act);
        this.activation = new Epilogue(null, act);
    }

    @Override
    public void resize(int batch) {
        boolean permute = batch > 1 && (spatial > 1 || batch <= SMALL_BATCH);
        scratch = permute ? new float[features * batch] : null;
    }

    @Override
    public void forward(float[][] inputs, float[] out, int batch, boolean training) {
        float[] x = inputs[0];
        if (batch <= SMALL_BATCH) {
            float[] y = batch == 1 ? out : scratch;
            // grain: whole vector pairs, so each thread's range starts on a register block
            Parallel.forChunks(features, 8 * LANES, 4, (f0, f1) -> gemv(x, batch, y, f0, f1));
            if (batch > 1) {
                toChannelMajor(y, out, batch, true);
            }
            return;
        }
        float[] dst = spatial > 1 ? scratch : out;
        Gemm.gemm(packed, batch, x, 0, batch, dst, 0, batch, rowEpilogue);
        if (spatial > 1) {
            toChannelMajor(dst, out, batch, false);
        }
    }

    /** y[n][f0 .. f1) = act(sum_k x[k][n] W'[f][k] + b[f]) for every sample n; y is [N][F]. */
    private void gemv(float[] x, int batch, float[] y, int f0, int f1) {
        for (int n = 0; n < batch; n++) {
            int yo = n * features;
            int f = f0;
            for (; f + 2 * LANES <= f1; f += 2 * LANES) {
                FloatVector a0 = FloatVector.zero(SPECIES);
                FloatVector a1 = a0;
                for (int k = 0, w = f; k < in; k++, w += features) {
                    FloatVector xv = FloatVector.broadcast(SPECIES, x[k * batch + n]);
                    a0 = xv.fma(FloatVector.fromArray(SPECIES, transposed, w), a0);
                    a1 = xv.fma(FloatVector.fromArray(SPECIES, transposed, w + LANES), a1);
                }
                a0.intoArray(y, yo + f);
                a1.intoArray(y, yo + f + LANES);
            }
            for (; f < f1; f++) {
                float s = 0f;
                for (int k = 0; k < in; k++) {
                    s = Math.fma(x[k * batch + n], transposed[k * features + f], s);
                }
                y[yo + f] = s;
            }
            if (bias != null) {
                for (int i = f0; i < f1; i++) {
                    y[yo + i] += bias[i];
                }
            }
            activation.apply(y, yo + f0, f1 - f0, 0);
        }
    }

    /**
     * Into the channel-major layout of the output [C][N][H*W] (F = C*H*W): from [N][F] when {@code sampleMajor},
     * else from [F][N] (the GEMM's rows).
     */
    private void toChannelMajor(float[] src, float[] out, int batch, boolean sampleMajor) {
        int channels = features / spatial;
        Parallel.forChunks(channels, 1, 4, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                for (int n = 0; n < batch; n++) {
                    int o = (c * batch + n) * spatial;
                    if (sampleMajor) {
                        System.arraycopy(src, n * features + c * spatial, out, o, spatial);
                    } else {
                        for (int p = 0, s = c * spatial * batch + n; p < spatial; p++, s += batch) {
                            out[o + p] = src[s];
                        }
                    }
                }
            }
        });
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        throw new UnsupportedOperationException("inference-only kernel: train with Network");
    }
}
