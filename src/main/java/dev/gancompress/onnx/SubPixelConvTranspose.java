package dev.gancompress.onnx;

import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Shape;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;

import java.util.Arrays;

/**
 * The sub-pixel form of a transposed convolution (Shi et al. 2016, "Is the deconvolution layer the same as a
 * convolutional layer?"): a ConvTranspose with stride s equals one Conv producing s^2 x Cout channels, a
 * DepthToSpace of block s (mode CRD: channel o s^2 + rh s + rw goes to pixel (h s + rh, w s + rw) of channel o), and a
 * crop. Exact in real arithmetic: every output pixel is the same sum of the same products.
 *
 * <p>Why: ONNX Runtime fuses QDQ around a Conv into QLinearConv (an int8 kernel) but leaves QDQ around a
 * ConvTranspose as Dequantize, fp32 ConvTranspose, Quantize (measured in issue 9), so an int8 generator only runs in
 * int8 once its transposed convolutions are Convs. The rewrite lives in the exporter rather than the IR: the IR keeps
 * the layer the model was trained, pruned and costed as, and the ONNX file gets the form its runtime executes fast.
 *
 * <p>Derivation, per spatial axis (kernel K, stride s, padding p, output padding a, input length H): the untrimmed
 * output Y' = x s + k of ConvTranspose, written Y' = q s + r (0 <= r < s), collects x = q - t with k = t s + r for t in
 * [0, T), T = ceil(K / s). A Conv with kernel T whose tap u = T - 1 - t holds W[i, o, t s + r] (zero when t s + r >=
 * K), padded by T - 1 in front, computes exactly that for every q; output Y = Y' - p. Whole blocks of s rows that the
 * padding would cut are not computed (the front padding shrinks by floor(p / s) taps); the back padding is whatever
 * makes the Conv reach the last output row (output padding rows get only the bias, as in ConvTranspose).
 */
public final class SubPixelConvTranspose {
    /** Per spatial axis: Conv kernel taps, Conv paddings, crop start and the ConvTranspose output length. */
    record Axis(int taps, int padBegin, int padEnd, int cropBegin, int outLength, int convLength) {
        /** Whether DepthToSpace's s x convLength rows are more than the output needs. */
        boolean cropped(int stride) {
            return cropBegin != 0 || stride * convLength != outLength;
        }
    }

    /** The Conv geometry and crop of one rewrite. */
    record Geometry(int stride, Axis h, Axis w) {
        boolean cropped() {
            return h.cropped(stride) || w.cropped(stride);
        }
    }

    /** Metadata key prefix naming the ConvTranspose a sub-pixel group was written for (the importer restores it). */
    static final String METADATA_PREFIX = "gancompress.subpixel.";

    private SubPixelConvTranspose() {
    }

    /** The ConvTranspose's geometry as metadata: "in out kh kw stride padH padW outputPadH outputPadW". */
    static String describe(ConvTranspose2d layer) {
        Kernel2d k = layer.kernel();
        return layer.in() + " " + layer.out() + " " + k.kh() + " " + k.kw() + " " + k.strideH() + " " + k.padH() + " "
                + k.padW() + " " + layer.outputPadH() + " " + layer.outputPadW();
    }

    /**
     * The ConvTranspose that {@link #conv} rewrote, from the Conv's weight and bias and the {@link #describe}
     * metadata: the exact inverse of the rearrangement (values, mask and storage), so a round trip is bit-exact.
     */
    static ConvTranspose2d restore(String description, Weights convWeight, Weights convBias, Shape input) {
        String[] f = description.trim().split("\\s+");
        if (f.length != 9) {
            throw new IllegalArgumentException("sub-pixel metadata '" + description + "' needs 9 integers: in out kh "
                    + "kw stride padH padW outputPadH outputPadW");
        }
        int[] v = new int[9];
        for (int i = 0; i < 9; i++) {
            v[i] = Integer.parseInt(f[i]);
        }
        int cin = v[0];
        int cout = v[1];
        int kh = v[2];
        int kw = v[3];
        int s = v[4];
        ConvTranspose2d shape = new ConvTranspose2d(cin, cout, new Kernel2d(kh, kw, s, s, v[5], v[6]), v[7], v[8],
                Weights.zeros(cin, cout, kh, kw), convBias == null ? null : Weights.zeros(cout));
        Geometry g = geometry(shape, input);
        int th = g.h.taps;
        int tw = g.w.taps;
        int[] expected = {s * s * cout, cin, th, tw};
        if (!Arrays.equals(convWeight.shape(), expected)) {
            throw new IllegalArgumentException("sub-pixel Conv weight " + Arrays.toString(convWeight.shape())
                    + " does not match the ConvTranspose '" + description + "' (expected "
                    + Arrays.toString(expected) + ")");
        }
        float[] src = convWeight.data();
        float[] srcMask = convWeight.mask();
        float[] data = new float[cin * cout * kh * kw];
        float[] mask = srcMask == null ? null : new float[data.length];
        for (int i = 0; i < cin; i++) {
            for (int o = 0; o < cout; o++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        int channel = (o * s + y % s) * s + x % s;
                        int from = ((channel * cin + i) * th + (th - 1 - y / s)) * tw + (tw - 1 - x / s);
                        int to = ((i * cout + o) * kh + y) * kw + x;
                        data[to] = src[from];
                        if (mask != null) {
                            mask[to] = srcMask[from];
                        }
                    }
                }
            }
        }
        Weights weight = new Weights(new int[] {cin, cout, kh, kw}, data);
        weight.setStorage(restored(convWeight.storage(), s * s));
        weight.setMask(mask);
        Weights bias = null;
        if (convBias != null) {
            float[] b = new float[cout];
            for (int o = 0; o < cout; o++) {
                b[o] = convBias.data()[o * s * s];
            }
            bias = new Weights(new int[] {cout}, b);
            bias.setStorage(convBias.storage());
        }
        return new ConvTranspose2d(cin, cout, shape.kernel(), v[7], v[8], weight, bias);
    }

    /** The inverse of {@link #rearranged}: axis 0 (repeated per sub-pixel) back to 1, axis 1 back to 0. */
    private static WeightStorage restored(WeightStorage storage, int copies) {
        if (storage.axis() < 0) {
            return storage;
        }
        boolean repeated = storage.axis() == 0;
        return storage.withChannelAxis(repeated ? 1 : 0, v -> repeated ? every(v, copies) : v,
                v -> repeated ? every(v, copies) : v);
    }

    private static float[] every(float[] values, int step) {
        float[] out = new float[values.length / step];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i * step];
        }
        return out;
    }

    private static int[] every(int[] values, int step) {
        int[] out = new int[values.length / step];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i * step];
        }
        return out;
    }

    /**
     * Whether the rewrite applies: DepthToSpace has one block size for both axes, so the strides must be equal; a
     * dilated kernel's phases are not contiguous taps, and an asymmetric crop has no single pad, both of which the
     * sub-pixel geometry assumes.
     */
    public static boolean applies(ConvTranspose2d layer) {
        return layer.kernel().strideH() == layer.kernel().strideW() && !layer.kernel().isDilated()
                && layer.kernel().isSymmetric();
    }

    static Geometry geometry(ConvTranspose2d layer, Shape input) {
        Kernel2d k = layer.kernel();
        return new Geometry(k.strideH(), axis(k.kh(), k.strideH(), k.padH(), layer.outputPadH(), input.height()),
                axis(k.kw(), k.strideW(), k.padW(), layer.outputPadW(), input.width()));
    }

    private static Axis axis(int kernel, int stride, int pad, int outputPad, int in) {
        int taps = (kernel + stride - 1) / stride;
        int outLength = (in - 1) * stride - 2 * pad + kernel + outputPad;
        int skippedBlocks = Math.min(pad / stride, taps - 1);
        int padBegin = taps - 1 - skippedBlocks;
        int cropBegin = pad - skippedBlocks * stride;
        int blocksNeeded = (cropBegin + outLength + stride - 1) / stride;
        int padEnd = Math.max(0, blocksNeeded - (in + padBegin - taps + 1));
        int convLength = in + padBegin + padEnd - taps + 1;
        return new Axis(taps, padBegin, padEnd, cropBegin, outLength, convLength);
    }

    /** The Conv of the rewrite: weight [s^2 Cout, Cin, Th, Tw], bias repeated per sub-pixel, storage carried over. */
    public static Conv2d conv(ConvTranspose2d layer, Shape input) {
        Geometry g = geometry(layer, input);
        Kernel2d kernel = new Kernel2d(g.h.taps, g.w.taps, 1, 1, 0, 0);
        Weights bias = layer.bias() == null ? null : repeatedBias(layer.bias(), g.stride * g.stride);
        // Conv2d's Kernel2d pads symmetrically; the asymmetric pads are written by the exporter from the geometry.
        return new Conv2d(layer.in(), g.stride * g.stride * layer.out(), kernel, convWeight(layer, g), bias);
    }

    /**
     * Rearranges [Cin, Cout, K, K] into the Conv's [s^2 Cout, Cin, Th, Tw]. Taps beyond the kernel are masked, so
     * they hold the storage's exact zero (a binary weight has no zero code otherwise); a pruning mask moves with
     * its values; per-channel parameters of output channel o repeat for its s^2 sub-pixel channels.
     */
    static Weights convWeight(ConvTranspose2d layer, Geometry g) {
        Weights w = layer.weight();
        int s = g.stride;
        int cin = layer.in();
        int cout = layer.out();
        int kh = layer.kernel().kh();
        int kw = layer.kernel().kw();
        int th = g.h.taps;
        int tw = g.w.taps;
        float[] src = w.data();
        float[] srcMask = w.mask();
        float[] data = new float[s * s * cout * cin * th * tw];
        float[] mask = new float[data.length];
        for (int o = 0; o < cout; o++) {
            for (int rh = 0; rh < s; rh++) {
                for (int rw = 0; rw < s; rw++) {
                    int channel = (o * s + rh) * s + rw;
                    for (int i = 0; i < cin; i++) {
                        for (int uh = 0; uh < th; uh++) {
                            int y = (th - 1 - uh) * s + rh;
                            for (int uw = 0; uw < tw; uw++) {
                                int x = (tw - 1 - uw) * s + rw;
                                if (y >= kh || x >= kw) {
                                    continue;
                                }
                                int from = ((i * cout + o) * kh + y) * kw + x;
                                int to = ((channel * cin + i) * th + uh) * tw + uw;
                                data[to] = src[from];
                                mask[to] = srcMask == null ? 1f : srcMask[from];
                            }
                        }
                    }
                }
            }
        }
        Weights conv = new Weights(new int[] {s * s * cout, cin, th, tw}, data);
        conv.setStorage(rearranged(w.storage(), s * s));
        conv.setMask(mask);
        return conv;
    }

    private static Weights repeatedBias(Weights bias, int copies) {
        float[] src = bias.data();
        float[] data = new float[src.length * copies];
        for (int i = 0; i < data.length; i++) {
            data[i] = src[i / copies];
        }
        Weights b = new Weights(new int[] {data.length}, data);
        if (bias.storage().axis() < 0) {
            b.setStorage(bias.storage());
        }
        return b;
    }

    /** The storage on the Conv's layout: ConvTranspose axis 1 (out) becomes axis 0, repeated; axis 0 (in) axis 1. */
    private static WeightStorage rearranged(WeightStorage storage, int copies) {
        if (storage.axis() < 0) {
            return storage;
        }
        boolean repeat = storage.axis() == 1;
        return storage.withChannelAxis(repeat ? 0 : 1, v -> repeat ? repeat(v, copies) : v,
                v -> repeat ? repeat(v, copies) : v);
    }

    private static float[] repeat(float[] values, int copies) {
        float[] out = new float[values.length * copies];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i / copies];
        }
        return out;
    }

    private static int[] repeat(int[] values, int copies) {
        int[] out = new int[values.length * copies];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i / copies];
        }
        return out;
    }
}
