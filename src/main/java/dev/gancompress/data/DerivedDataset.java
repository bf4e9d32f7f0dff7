package dev.gancompress.data;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * Base of the views that change only the image geometry of another set: size, labels and class names
 * pass through, and the content hash is derived from the source hash and the transform's name so that
 * cached statistics of a padded or resized view never collide with the source's.
 */
abstract class DerivedDataset implements ImageDataset {
    protected final ImageDataset source;
    private final int height;
    private final int width;
    private final String transform;
    private volatile String contentHash;

    DerivedDataset(ImageDataset source, int height, int width, String transform) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("bad target size " + height + "x" + width);
        }
        this.source = source;
        this.height = height;
        this.width = width;
        this.transform = transform;
    }

    @Override
    public int size() {
        return source.size();
    }

    @Override
    public int channels() {
        return source.channels();
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int numClasses() {
        return source.numClasses();
    }

    @Override
    public int label(int index) {
        return source.label(index);
    }

    @Override
    public List<String> classNames() {
        return source.classNames();
    }

    @Override
    public String description() {
        return source.description() + ", " + transform;
    }

    @Override
    public String contentHash() {
        String hash = contentHash;
        if (hash == null) {
            byte[] key = (source.contentHash() + "|" + transform).getBytes(StandardCharsets.UTF_8);
            hash = dev.gancompress.Digests.sha256(key);
            contentHash = hash;
        }
        return hash;
    }

    @Override
    public String toString() {
        return description();
    }
}
