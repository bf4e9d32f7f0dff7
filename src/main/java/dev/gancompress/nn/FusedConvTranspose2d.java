package dev.gancompress.nn;

import dev.gancompress.model.Activation;
import dev.gancompress.model.Kernel2d;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Inference form of ConvTranspose2d [-> BatchNorm] [-> activation]. As in {@link ConvTranspose2dKernel} one GEMM
 * computes the columns col[(o, ky, kx)][pixel] = W^T x over the whole batch (here with the BatchNorm scale folded
 * into the weights, which are packed once); the fold onto the output grid differs.
 *
 * <p>The sub-pixel view of a strided transposed convolution (Shi et al., "Real-Time Single Image and Video
 * Super-Resolution Using an Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016): the outputs whose
 * coordinates are (py, px) modulo the stride form a grid of the input's size, and each of them is the sum of the
 * same few taps' columns, shifted by a fixed offset on that grid (for the DCGAN's 4x4, stride 2, pad 1: four taps
 * per class). So each output plane is gathered class by class with vector loads over the flattened input grid (a
 * 0/1 mask per tap zeroes the shifted reads that fall off the grid, an fma with 1 or 0 being exact), gets bias,
 * shift and activation in L1, and is then interleaved into the output. The scattered scalar read-modify-writes of
 * {@link Im2col#foldAdd} (16 per output element here, 40 % of the layer's time) are gone, and no separate
 * normalisation or activation pass remains. Each output element still sums its taps in ascending (ky, kx) order,
 * like foldAdd. A geometry whose classes do not fit the input grid (e.g. a stride-1 kernel wider than 2 pad + 1)
 * falls back to a scalar fold with the same epilogue.
 *
 * <p>Blocking: a batch of more than a few images runs in blocks of ~320 columns (whole images) per group of output
 * channels whose packed weights take at most 400 KB, so a block's columns are gathered from L2 and the group's
 * weights stay there from block to block (claims are group-major). Measured against one GEMM over the batch, same
 * run, one thread: the teacher's up2 (one group) 1.04-1.09x, up1 (three groups) 0.98-1.00x. Without the channel
 * groups up1 lost (0.8x at 16 images: its 1.2 MB of packed weights streamed from L3 once per block), and the first
 * attempt (image chunks with a scalar fold) took 1.7x the CPU time of the unblocked layer.
 */
final class FusedConvTranspose2d implements Kernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int BLOCK_COLUMNS = 320;
    /**
     * Packed weights per channel group of the column-blocked path: every block streams its group's weights through
     * the core, which pays while they stay in L2.
     */
    private static final long GROUP_WEIGHT_BYTES = 400 * 1024;

    /** The taps of one output class (py, px): their column row within a channel, flattened shift, validity mask. */
    private record OutputClass(int py, int px, int rowsUsed, int colsUsed, int[] tapRow, int[] shift, float[][] mask) {
    }

    private final int outChannels;
    private final Kernel2d k;
    private final int h;
    private final int w;
    private final int oh;
    private final int ow;
    private final int rows;
    private final Gemm.PackedA packed;
    /** The packed weights by groups of output channels, each small enough for L2 (column-blocked path). */
    private final Gemm.PackedA[] groupPacks;
    private final int channelsPerGroup;
    private final Epilogue epilogue;
    /** The sub-pixel classes, or null where the scalar fold runs. */
    private final List<OutputClass> classes;
    /** Zeros before and after the columns, so shifted vector reads of the first and last rows stay in the array. */
    private final int margin;
    /** Per kernel column kx: the input columns [first, end) whose output column lies on the grid (scalar fold). */
    private final int[] firstIx;
    private final int[] endIx;
    private final ThreadLocal<float[]> classBuffer;
    private final ThreadLocal<float[]> blockColumns = ThreadLocal.withInitial(() -> new float[0]);
    /** Column blocks of a few images per channel group, GEMM and gather per block (false: for comparisons). */
    final boolean blocked;
    /** Output channels per unit of a channel split: their column rows start on a multiple of the kernel's MR. */
    private final int channelGrain;
    private float[] col;

    /** @param weight W' [in][out][kh][kw], BatchNorm scale folded in; bias the fused bias or null */
    FusedConvTranspose2d(int inChannels, int outChannels, Kernel2d k, int h, int w, int oh, int ow, float[] weight,
                         float[] bias, Activation act) {
        this(inChannels, outChannels, k, h, w, oh, ow, weight, bias, act, true);
    }

    FusedConvTranspose2d(int inChannels, int outChannels, Kernel2d k, int h, int w, int oh, int ow, float[] weight,
                         float[] bias, Activation act, boolean blocked) {
        this.blocked = blocked;
        this.channelGrain = GemmKernel.MR / gcd(GemmKernel.MR, k.area());
        this.outChannels = outChannels;
        this.k = k;
        this.h = h;
        this.w = w;
        this.oh = oh;
        this.ow = ow;
        this.rows = outChannels * k.area();
        this.packed = Gemm.pack(true, rows, inChannels, weight, 0, rows);
        long perChannel = 4L * k.area() * inChannels;
        this.channelsPerGroup = (int) Math.max(1, Math.min(outChannels, GROUP_WEIGHT_BYTES / perChannel));
        int groupCount = (outChannels + channelsPerGroup - 1) / channelsPerGroup;
        this.groupPacks = new Gemm.PackedA[groupCount];
        for (int gi = 0; gi < groupCount; gi++) {
            int o0 = gi * channelsPerGroup;
            int o1 = Math.min(outChannels, o0 + channelsPerGroup);
            groupPacks[gi] = Gemm.pack(true, (o1 - o0) * k.area(), inChannels, weight, o0 * k.area(), rows);
        }
        this.epilogue = new Epilogue(bias, act);
        this.firstIx = new int[k.kw()];
        this.endIx = new int[k.kw()];
        for (int kx = 0; kx < k.kw(); kx++) {
            int offset = k.padW() - kx;
            firstIx[kx] = offset <= 0 ? 0 : Math.min(w, (offset + k.strideW() - 1) / k.strideW());
            int last = ow - 1 + k.padW() - kx;
            endIx[kx] = last < 0 ? 0 : Math.min(w, last / k.strideW() + 1);
        }
        this.classes = subPixelClasses();
        int widest = 0;
        if (classes != null) {
            for (OutputClass c : classes) {
                for (int s : c.shift()) {
                    widest = Math.max(widest, Math.abs(s));
                }
            }
        }
        this.margin = widest;
        int classCount = k.strideH() * k.strideW();
        this.classBuffer = ThreadLocal.withInitial(() -> new float[classCount * h * w]);
    }

    /** The output classes when each fits on the h x w input grid; null otherwise. */
    private List<OutputClass> subPixelClasses() {
        int sh = k.strideH();
        int sw = k.strideW();
        List<OutputClass> list = new ArrayList<>();
        for (int py = 0; py < sh; py++) {
            for (int px = 0; px < sw; px++) {
                int rowsUsed = Math.max(0, (oh - py + sh - 1) / sh);
                int colsUsed = Math.max(0, (ow - px + sw - 1) / sw);
                if (rowsUsed > h || colsUsed > w) {
                    return null;
                }
                List<int[]> taps = new ArrayList<>();
                for (int ky = 0; ky < k.kh(); ky++) {
                    for (int kx = 0; kx < k.kw(); kx++) {
                        int ty = py + k.padH() - ky;
                        int tx = px + k.padW() - kx;
                        if (Math.floorMod(ty, sh) == 0 && Math.floorMod(tx, sw) == 0) {
                            taps.add(new int[] {ky * k.kw() + kx, Math.floorDiv(ty, sh), Math.floorDiv(tx, sw)});
                        }
                    }
                }
                int[] tapRow = new int[taps.size()];
                int[] shift = new int[taps.size()];
                float[][] mask = new float[taps.size()][h * w];
                for (int t = 0; t < taps.size(); t++) {
                    int dy = taps.get(t)[1];
                    int dx = taps.get(t)[2];
                    tapRow[t] = taps.get(t)[0];
                    shift[t] = dy * w + dx;
                    for (int a = 0; a < h; a++) {
                        for (int b = 0; b < w; b++) {
                            boolean inside = a + dy >= 0 && a + dy < h && b + dx >= 0 && b + dx < w;
                            mask[t][a * w + b] = inside ? 1f : 0f;
                        }
                    }
                }
                list.add(new OutputClass(py, px, rowsUsed, colsUsed, tapRow, shift, mask));
            }
        }
        return list;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Images per column block: about {@link #BLOCK_COLUMNS} columns, whole images. */
    private int imagesPerBlock() {
        int hw = h * w;
        return Math.max(1, (BLOCK_COLUMNS + hw / 2) / hw);
    }

    @Override
    public void resize(int batch) {
        col = batch <= imagesPerBlock() || !blocked ? new float[rows * batch * h * w + 2 * margin] : null;
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        int hw = h * w;
        if (col != null) {
            // small batch: split by output channels, each chunk's GEMM rows and then its planes in one region
            int cols = batch * hw;
            Parallel.forChunks(outChannels, channelGrain, 4, (o0, o1) -> {
                Gemm.gemmRows(packed, o0 * k.area(), o1 * k.area(), cols, in[0], 0, cols, col, margin, cols, null);
                for (int o = o0; o < o1; o++) {
                    for (int n = 0; n < batch; n++) {
                        foldOrGather(col, cols, o, o, n, out, (o * batch + n) * oh * ow);
                    }
                }
            });
            return;
        }
        int g = imagesPerBlock();
        int blocks = (batch + g - 1) / g;
        int groups = groupPacks.length;
        // group-major: consecutive claims share a group, whose packed weights then stay in L2
        Parallel.forChunks(groups * blocks, 1, 2, (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int group = u / blocks;
                int n0 = (u % blocks) * g;
                int n1 = Math.min(batch, n0 + g);
                int cols = (n1 - n0) * hw;
                int o0 = group * channelsPerGroup;
                int o1 = Math.min(outChannels, o0 + channelsPerGroup);
                float[] columns = blockColumns.get();
                int need = channelsPerGroup * k.area() * g * hw + 2 * margin;
                if (columns.length < need) {
                    columns = new float[need];
                    blockColumns.set(columns);
                }
                Gemm.gemm(groupPacks[group], cols, in[0], n0 * hw, batch * hw, columns, margin, cols, null);
                for (int o = o0; o < o1; o++) {
                    for (int n = n0; n < n1; n++) {
                        foldOrGather(columns, cols, o - o0, o, n - n0, out, (o * batch + n) * oh * ow);
                    }
                }
            }
        });
    }

    /** Plane (o, image) from columns whose channel o rows are those of channel oCol. */
    private void foldOrGather(float[] columns, int ld, int oCol, int o, int image, float[] dst, int base) {
        if (classes != null) {
            gatherPlane(columns, ld, oCol, o, image, dst, base);
        } else {
            foldPlane(columns, ld, oCol, o, image, dst, base);
        }
    }

    /** Output plane (o, n) at dst[base ..), class by class: gather the taps on the input grid, epilogue, interleave. */
    private void gatherPlane(float[] col, int cols, int oCol, int o, int n, float[] dst, int base) {
        int hw = h * w;
        float[] e = classBuffer.get();
        int vectorEnd = SPECIES.loopBound(hw);
        int sh = k.strideH();
        int sw = k.strideW();
        for (int c = 0; c < classes.size(); c++) {
            OutputClass oc = classes.get(c);
            int eo = c * hw;
            int[] tapRow = oc.tapRow();
            int[] shift = oc.shift();
            float[][] mask = oc.mask();
            int taps = tapRow.length;
            int src0 = margin + (oCol * k.area()) * cols + n * hw;
            int j = 0;
            for (; j < vectorEnd; j += SPECIES.length()) {
                FloatVector acc = FloatVector.zero(SPECIES);
                for (int t = 0; t < taps; t++) {
                    int s = src0 + tapRow[t] * cols + shift[t] + j;
                    acc = FloatVector.fromArray(SPECIES, col, s).fma(FloatVector.fromArray(SPECIES, mask[t], j), acc);
                }
                acc.intoArray(e, eo + j);
            }
            for (; j < hw; j++) {
                float acc = 0f;
                for (int t = 0; t < taps; t++) {
                    acc = Math.fma(col[src0 + tapRow[t] * cols + shift[t] + j], mask[t][j], acc);
                }
                e[eo + j] = acc;
            }
            epilogue.apply(e, eo, hw, o);
            for (int a = 0; a < oc.rowsUsed(); a++) {
                int d = base + (a * sh + oc.py()) * ow + oc.px();
                int s = eo + a * w;
                for (int b = 0; b < oc.colsUsed(); b++, d += sw) {
                    dst[d] = e[s + b];
                }
            }
        }
    }

    /** Output plane (o, n) by scattering each tap's column rows, row by row, then the epilogue on the row. */
    private void foldPlane(float[] col, int cols, int oCol, int o, int n, float[] dst, int base) {
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
                    int src = margin + ((oCol * k.kh() + ky) * k.kw() + kx) * cols + n * h * w + iy * w;
                    int e = endIx[kx];
                    for (int ix = firstIx[kx], ox = d + ix * sw - k.padW() + kx; ix < e; ix++, ox += sw) {
                        dst[ox] += col[src + ix];
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
