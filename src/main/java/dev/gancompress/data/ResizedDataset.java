package dev.gancompress.data;

import java.util.Objects;

/**
 * A view that resizes every image of another set on the fly (bilinear when enlarging, area average when
 * shrinking; see {@link Resampling}), e.g. 28x28 Fashion-MNIST for a 32x32 generator. Costs one small
 * per-thread scratch buffer; the source is never copied.
 */
public final class ResizedDataset extends DerivedDataset {
    private final Resampling resampling;
    private final ThreadLocal<float[][]> scratch;

    public ResizedDataset(ImageDataset source, int height, int width) {
        super(source, height, width, "resized to " + height + "x" + width);
        this.resampling = new Resampling(source.height(), source.width(), height, width);
        this.scratch = ThreadLocal.withInitial(() -> new float[][] {
                new float[source.imageSize()], new float[resampling.scratchSize()]});
    }

    @Override
    public void copyImage(int index, float[] dst, int offset) {
        Objects.checkFromIndexSize(offset, imageSize(), dst.length);
        float[][] buffers = scratch.get();
        source.copyImage(index, buffers[0], 0);
        resampling.resize(buffers[0], 0, dst, offset, channels(), buffers[1]);
        // The weights are convex, so only float rounding can step outside [-1, 1]; clamp that away.
        for (int i = offset, end = offset + imageSize(); i < end; i++) {
            dst[i] = Math.max(-1f, Math.min(1f, dst[i]));
        }
    }
}
