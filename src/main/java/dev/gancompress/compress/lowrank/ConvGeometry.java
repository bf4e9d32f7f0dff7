package dev.gancompress.compress.lowrank;

import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Weights;

/**
 * A Conv2d or ConvTranspose2d layer with its input and output sizes, read and written through one index order
 * (output channel o, input channel c, kernel position a = y kw + x), so that each decomposition is written once for
 * both: Conv2d stores [out, in, kh, kw], ConvTranspose2d [in, out, kh, kw] (PyTorch and ONNX).
 */
record ConvGeometry(boolean transposed, int in, int out, Kernel2d kernel, int outputPadH, int outputPadW,
                    float[] weight, Weights bias, int inH, int inW, int outH, int outW) {
    static final Kernel2d POINTWISE = Kernel2d.square(1, 1, 0);

    /** A kernel entry by (output channel, input channel, kernel position). */
    @FunctionalInterface
    interface KernelEntry {
        double at(int o, int c, int a);
    }

    static ConvGeometry of(Conv2d c, Shape x, Shape y) {
        return new ConvGeometry(false, c.in(), c.out(), c.kernel(), 0, 0, c.weight().data(), c.bias(),
                x.height(), x.width(), y.height(), y.width());
    }

    static ConvGeometry of(ConvTranspose2d c, Shape x, Shape y) {
        return new ConvGeometry(true, c.in(), c.out(), c.kernel(), c.outputPadH(), c.outputPadW(), c.weight().data(),
                c.bias(), x.height(), x.width(), y.height(), y.width());
    }

    int area() {
        return kernel.area();
    }

    long inPixels() {
        return (long) inH * inW;
    }

    long outPixels() {
        return (long) outH * outW;
    }

    /** The positions each kernel tap is applied at: the output grid of a Conv, the input grid of a ConvT. */
    long kernelPixels() {
        return transposed ? inPixels() : outPixels();
    }

    double w(int o, int c, int a) {
        return transposed ? weight[(c * out + o) * area() + a] : weight[(o * in + c) * area() + a];
    }

    /** The weight as an out x (in kh kw) matrix, M[o, (c, a)] = W(o, c, a) (mode-0 of [out, in, kh, kw]). */
    double[] outMajor() {
        double[] m = new double[out * in * area()];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                for (int a = 0; a < area(); a++) {
                    m[(o * in + c) * area() + a] = w(o, c, a);
                }
            }
        }
        return m;
    }

    /** The weight as an in x (out kh kw) matrix, M[c, (o, a)] = W(o, c, a) (mode-1 of [out, in, kh, kw]). */
    double[] inMajor() {
        double[] m = new double[in * out * area()];
        for (int c = 0; c < in; c++) {
            for (int o = 0; o < out; o++) {
                for (int a = 0; a < area(); a++) {
                    m[(c * out + o) * area() + a] = w(o, c, a);
                }
            }
        }
        return m;
    }

    Weights biasCopy() {
        return bias == null ? null : bias.copy();
    }

    /** A layer of this one's kind (Conv2d or ConvTranspose2d) with the given geometry and entries. */
    Layer sameKind(int layerIn, int layerOut, Kernel2d k, int padOutH, int padOutW, KernelEntry entry,
                   Weights layerBias) {
        int taps = k.area();
        float[] d = new float[layerIn * layerOut * taps];
        for (int o = 0; o < layerOut; o++) {
            for (int c = 0; c < layerIn; c++) {
                int base = transposed ? (c * layerOut + o) * taps : (o * layerIn + c) * taps;
                for (int a = 0; a < taps; a++) {
                    d[base + a] = (float) entry.at(o, c, a);
                }
            }
        }
        if (transposed) {
            return new ConvTranspose2d(layerIn, layerOut, k, padOutH, padOutW,
                    new Weights(new int[]{layerIn, layerOut, k.kh(), k.kw()}, d), layerBias);
        }
        return new Conv2d(layerIn, layerOut, k, new Weights(new int[]{layerOut, layerIn, k.kh(), k.kw()}, d),
                layerBias);
    }

    /** A 1x1 convolution with entries by (output channel, input channel). */
    static Conv2d pointwise(int layerIn, int layerOut, FactorWeights.Entry entry, Weights layerBias) {
        return new Conv2d(layerIn, layerOut, POINTWISE,
                FactorWeights.matrix(entry, layerOut, layerOut, layerIn, 1, 1), layerBias);
    }
}
