package dev.gancompress.nn;

/**
 * The engine's implementation of one IR layer on the channel-major internal layout: an image value of
 * per-sample shape [C, H, W] is stored [C][N][H*W], a feature vector [F] as [F][N], a label as [N] class indices.
 * Channel-major makes every convolution one GEMM over the whole batch and keeps each channel contiguous for
 * normalisation and concatenation.
 *
 * <p>Backward passes <em>add</em> into input gradients (a value may feed several consumers) and into parameter
 * gradients (the caller zeroes them between steps). A null gradient array means "not needed".
 */
interface Kernel {
    /** Called whenever the batch size changes, before forward; kernels size their scratch buffers here. */
    default void resize(int batch) {
    }

    void forward(float[][] in, float[] out, int batch, boolean training);

    void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads);
}
