package dev.gancompress.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A view that centres every image of another set on a larger canvas filled with -1 (black), the way
 * LeNet-5 fed 28x28 MNIST digits as 32x32 (LeCun et al., 1998): unlike resizing, it keeps the pixels and
 * stroke widths exactly. When the margin is odd the extra row or column goes to the bottom or right.
 */
public final class PaddedDataset extends DerivedDataset {
    private final int top;
    private final int left;
    private final ThreadLocal<float[]> scratch;

    public PaddedDataset(ImageDataset source, int height, int width) {
        super(source, height, width, "padded to " + height + "x" + width);
        if (height < source.height() || width < source.width()) {
            throw new IllegalArgumentException("cannot pad " + source.height() + "x" + source.width()
                    + " images to the smaller " + height + "x" + width);
        }
        this.top = (height - source.height()) / 2;
        this.left = (width - source.width()) / 2;
        this.scratch = ThreadLocal.withInitial(() -> new float[source.imageSize()]);
    }

    @Override
    public void copyImage(int index, float[] dst, int offset) {
        Objects.checkFromIndexSize(offset, imageSize(), dst.length);
        float[] src = scratch.get();
        source.copyImage(index, src, 0);
        Arrays.fill(dst, offset, offset + imageSize(), -1f);
        int sh = source.height();
        int sw = source.width();
        for (int c = 0; c < channels(); c++) {
            for (int y = 0; y < sh; y++) {
                System.arraycopy(src, (c * sh + y) * sw,
                        dst, offset + (c * height() + y + top) * width() + left, sw);
            }
        }
    }
}
