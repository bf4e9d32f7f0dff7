package dev.gancompress.data;

import java.util.List;
import java.util.stream.IntStream;

/**
 * A fixed, indexable set of images of one shape, optionally labelled. Implementations keep pixels in
 * their compact source form (bytes for 8-bit data) and convert one image at a time, so a training loop
 * never holds the whole set as floats; {@link BatchSampler} fills caller-owned buffers from it.
 *
 * <p>Implementations must allow concurrent {@link #copyImage} calls from several threads.
 */
public interface ImageDataset {
    int size();

    int channels();

    int height();

    int width();

    /** The number of classes, or 0 if the set is unlabelled. */
    int numClasses();

    /** The class of image {@code index} in [0, numClasses), or -1 if the set is unlabelled. */
    int label(int index);

    /**
     * Writes image {@code index} as channels*height*width floats (CHW order, one image of an NCHW batch)
     * into {@code dst} from {@code offset}, normalised to [-1, 1] to match a tanh generator output.
     */
    void copyImage(int index, float[] dst, int offset);

    /** For logs and reports, e.g. "fashion-mnist train (60000 images from /usr/share/...)". */
    String description();

    /**
     * SHA-256 (lower-case hex) of the shape, pixel and label bytes: it identifies the data in provenance
     * records and keys cached reference statistics (FID means and covariances). Computed once, lazily.
     */
    String contentHash();

    /** Human-readable class names, index-aligned with labels; empty if unlabelled. */
    default List<String> classNames() {
        return IntStream.range(0, numClasses()).mapToObj(Integer::toString).toList();
    }

    /** channels * height * width: the number of floats {@link #copyImage} writes. */
    default int imageSize() {
        return channels() * height() * width();
    }
}
