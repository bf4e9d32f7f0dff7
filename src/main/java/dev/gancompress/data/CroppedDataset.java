package dev.gancompress.data;

import java.util.Objects;

/**
 * A view that cuts the centre height x width window out of every image of another set: the exact inverse of
 * {@link PaddedDataset} (same placement of an odd margin), so cropping padded 28x28 Fashion-MNIST images back from
 * 32x32 returns the original pixels. Lets a 32x32 image-to-image model be measured by the 28x28 evaluator.
 */
public final class CroppedDataset extends DerivedDataset {
    private final ThreadLocal<float[]> scratch;

    public CroppedDataset(ImageDataset source, int height, int width) {
        super(source, height, width, "centre-cropped to " + height + "x" + width);
        if (height > source.height() || width > source.width()) {
            throw new IllegalArgumentException("cannot crop " + source.height() + "x" + source.width()
                    + " images to the larger " + height + "x" + width);
        }
        this.scratch = ThreadLocal.withInitial(() -> new float[source.imageSize()]);
    }

    @Override
    public void copyImage(int index, float[] dst, int offset) {
        Objects.checkFromIndexSize(offset, imageSize(), dst.length);
        float[] src = scratch.get();
        source.copyImage(index, src, 0);
        crop(src, 0, source.channels(), source.height(), source.width(), dst, offset, height(), width());
    }

    /** Copies the centre h x w window of a c x sh x sw image (CHW) to dst; the top-left margin is the smaller one. */
    public static void crop(float[] src, int srcOffset, int c, int sh, int sw, float[] dst, int dstOffset, int h,
                            int w) {
        int top = (sh - h) / 2;
        int left = (sw - w) / 2;
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(src, srcOffset + (ch * sh + y + top) * sw + left, dst, dstOffset + (ch * h + y) * w, w);
            }
        }
    }
}
