package dev.gancompress.nn;

import dev.gancompress.model.Activation;
import dev.gancompress.model.Kernel2d;

import java.util.Arrays;

/**
 * Inference form of ConvTranspose2d [-> BatchNorm] [-> activation]. As in {@link ConvTranspose2dKernel} the
 * columns are col[(o, ky, kx)][pixel] = W^T x (one GEMM), folded onto the output grid; here the weights carry the
 * folded BatchNorm scale and are packed once, and the GEMM and the fold run a few images at a time on each
 * thread, so the columns of a chunk (under 1 MB) are folded from L2 instead of being written to memory and read
 * back (the whole batch's columns are 16x the input: 38 MB for the teacher's up2 at batch 64). The fold gathers
 * into one output row at a time, which then gets bias, shift and activation while it is in L1: no separate
 * normalisation or activation pass. Each output element sums its taps in the order of {@link Im2col#foldAdd}.
 *
 * <p>When the batch has fewer chunks than the pool has threads (batch 1), the GEMM of the whole batch is split
 * over the threads instead, then the fold over (channel, image) planes.
 */
final class FusedConvTranspose2d implements Kernel {
    /** Columns per chunk GEMM worth aiming for: a few NR panels, so packing and edges stay a small share. */
    private static final int CHUNK_COLUMNS = 128;

    private final int outChannels;
    private final Kernel2d k;
    private final int h;
    private final int w;
    private final int oh;
    private final int ow;
    private final int rows;
    private final Gemm.PackedA packed;
    private final Epilogue epilogue;
    private final int imagesPerChunk;
    /** Per kernel column kx: the input columns [first, end) whose output column lies on the grid. */
    private final int[] firstIx;
    private final int[] endIx;
    private final ThreadLocal<float[]> chunkColumns = ThreadLocal.withInitial(() -> new float[0]);
    private float[] col;

    /** @param weight W' [in][out][kh][kw], BatchNorm scale folded in; bias the fused bias or null */
    FusedConvTranspose2d(int inChannels, int outChannels, Kernel2d k, int h, int w, int oh, int ow, float[] weight,
                         float[] bias, Activation act) {
        this.outChannels = outChannels;
        this.k = k;
        this.h = h;
        this.w = w;
        this.oh = oh;
        this.ow = ow;
        this.rows = outChannels * k.area();
        this.packed = Gemm.pack(true, rows, inChannels, weight, 0, rows);
        this.epilogue = new Epilogue(bias, act);
        this.imagesPerChunk = Math.max(1, (CHUNK_COLUMNS + h * w - 1) / (h * w));
        this.firstIx = new int[k.kw()];
        this.endIx = new int[k.kw()];
        for (int kx = 0; kx < k.kw(); kx++) {
            int offset = k.padW() - kx;
            firstIx[kx] = offset <= 0 ? 0 : Math.min(w, (offset + k.strideW() - 1) / k.strideW());
            int last = ow - 1 + k.padW() - kx;
            endIx[kx] = last < 0 ? 0 : Math.min(w, last / k.strideW() + 1);
        }
    }

    private int chunks(int batch) {
        return (batch + imagesPerChunk - 1) / imagesPerChunk;
    }

    @Override
    public void resize(int batch) {
        col = chunks(batch) < Parallel.threads() ? new float[rows * batch * h * w] : null;
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        float[] x = in[0];
        int hw = h * w;
        int chunks = chunks(batch);
        if (col == null) {
            Parallel.forRange(chunks, 1, (c0, c1) -> {
                for (int c = c0; c < c1; c++) {
                    int n0 = c * imagesPerChunk;
                    int n1 = Math.min(batch, n0 + imagesPerChunk);
                    int cols = (n1 - n0) * hw;
                    float[] buffer = chunkColumns.get();
                    if (buffer.length < rows * cols) {
                        buffer = new float[rows * imagesPerChunk * hw];
                        chunkColumns.set(buffer);
                    }
                    Gemm.gemm(packed, cols, x, n0 * hw, batch * hw, buffer, 0, cols, null);
                    for (int o = 0; o < outChannels; o++) {
                        for (int n = n0; n < n1; n++) {
                            foldPlane(buffer, cols, (n - n0) * hw, o, out, (o * batch + n) * oh * ow);
                        }
                    }
                }
            });
            return;
        }
        int cols = batch * hw;
        Gemm.gemm(packed, cols, x, 0, cols, col, 0, cols, null);
        Parallel.forRange(outChannels * batch, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int o = p / batch;
                int n = p % batch;
                foldPlane(col, cols, n * hw, o, out, p * oh * ow);
            }
        });
    }

    /**
     * Output plane of channel o of one image, at dst[base ..): each row gathers its taps from the columns (row
     * stride ldCol, the image's pixels from column colOff), then gets the epilogue.
     */
    private void foldPlane(float[] columns, int ldCol, int colOff, int o, float[] dst, int base) {
        int sh = k.strideH();
        int sw = k.strideW();
        for (int oy = 0; oy < oh; oy++) {
            int d = base + oy * ow;
            Arrays.fill(dst, d, d + ow, 0f);
            for (int ky = 0; ky < k.kh(); ky++) {
                int t = oy + k.padH() - ky;
                if (t < 0 || t % sh != 0 || t / sh >= h) {
                    continue;
                }
                int iy = t / sh;
                for (int kx = 0; kx < k.kw(); kx++) {
                    int src = ((o * k.kh() + ky) * k.kw() + kx) * ldCol + colOff + iy * w;
                    int e = endIx[kx];
                    for (int ix = firstIx[kx], ox = d + ix * sw - k.padW() + kx; ix < e; ix++, ox += sw) {
                        dst[ox] += columns[src + ix];
                    }
                }
            }
            epilogue.apply(dst, d, ow, o);
        }
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        throw new UnsupportedOperationException("inference-only kernel: train with Network");
    }
}
