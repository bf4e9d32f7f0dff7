package dev.gancompress.nn;

import dev.gancompress.model.DepthToSpace;
import dev.gancompress.model.Shape;
import dev.gancompress.model.SpaceToDepth;

/**
 * DepthToSpace and SpaceToDepth: a fixed permutation of each sample's elements, built once as a map from every
 * output (channel, pixel) to the input (channel, pixel) it copies. Forward gathers through the map, backward
 * scatters the gradient back; a permutation reads every input element once, so output channels can be split
 * across threads in both directions without two threads adding into one input element.
 */
final class ChannelSpaceKernel implements Kernel {
    private final int outChannels;
    private final int planeIn;
    private final int planeOut;
    /** Per output channel c, per output pixel p: the input channel in sourceChannel, the input pixel in sourcePixel. */
    private final int[] sourceChannel;
    private final int[] sourcePixel;

    private ChannelSpaceKernel(Shape in, Shape out) {
        this.outChannels = out.channels();
        this.planeIn = in.height() * in.width();
        this.planeOut = out.height() * out.width();
        this.sourceChannel = new int[outChannels * planeOut];
        this.sourcePixel = new int[outChannels * planeOut];
    }

    static ChannelSpaceKernel depthToSpace(DepthToSpace layer, Shape in, Shape out) {
        ChannelSpaceKernel k = new ChannelSpaceKernel(in, out);
        int b = layer.blockSize();
        for (int c = 0; c < out.channels(); c++) {
            for (int y = 0; y < out.height(); y++) {
                for (int x = 0; x < out.width(); x++) {
                    int o = (c * out.height() + y) * out.width() + x;
                    k.sourceChannel[o] = layer.sourceChannel(c, y % b, x % b, out.channels());
                    k.sourcePixel[o] = (y / b) * in.width() + x / b;
                }
            }
        }
        return k;
    }

    static ChannelSpaceKernel spaceToDepth(SpaceToDepth layer, Shape in, Shape out) {
        ChannelSpaceKernel k = new ChannelSpaceKernel(in, out);
        int b = layer.blockSize();
        for (int oc = 0; oc < out.channels(); oc++) {
            int c = oc % in.channels();
            int block = oc / in.channels();
            int i = block / b;
            int j = block % b;
            for (int y = 0; y < out.height(); y++) {
                for (int x = 0; x < out.width(); x++) {
                    int o = (oc * out.height() + y) * out.width() + x;
                    k.sourceChannel[o] = c;
                    k.sourcePixel[o] = (y * b + i) * in.width() + x * b + j;
                }
            }
        }
        return k;
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        float[] x = in[0];
        Parallel.forRange(outChannels, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                for (int n = 0; n < batch; n++) {
                    int dst = (c * batch + n) * planeOut;
                    for (int p = 0; p < planeOut; p++) {
                        int o = c * planeOut + p;
                        out[dst + p] = x[(sourceChannel[o] * batch + n) * planeIn + sourcePixel[o]];
                    }
                }
            }
        });
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        float[] dx = gradIn[0];
        if (dx == null) {
            return;
        }
        Parallel.forRange(outChannels, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                for (int n = 0; n < batch; n++) {
                    int src = (c * batch + n) * planeOut;
                    for (int p = 0; p < planeOut; p++) {
                        int o = c * planeOut + p;
                        dx[(sourceChannel[o] * batch + n) * planeIn + sourcePixel[o]] += gradOut[src + p];
                    }
                }
            }
        });
    }
}
