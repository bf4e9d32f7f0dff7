package dev.gancompress.data;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Aligned (input, target) image pairs for image-to-image translation (pix2pix's "aligned" data): pair i is
 * image i of {@link #inputs()} and image i of {@link #targets()}, of one height and width (channels may differ,
 * e.g. an edge map and a colour photo).
 *
 * <p>{@link #stacked()} joins each pair along channels into one image, so the batch sampler, resume positions
 * and content hashes of unpaired training apply unchanged: a trainer splits the first {@code inputs().channels()}
 * channels off as the input.
 */
public final class PairedDataset {
    private final ImageDataset inputs;
    private final ImageDataset targets;
    private final String description;
    private final ImageDataset stacked;

    public PairedDataset(ImageDataset inputs, ImageDataset targets, String description) {
        this.inputs = Objects.requireNonNull(inputs);
        this.targets = Objects.requireNonNull(targets);
        this.description = Objects.requireNonNull(description);
        if (inputs.size() != targets.size()) {
            throw new IllegalArgumentException(description + ": " + inputs.size() + " inputs but " + targets.size()
                    + " targets");
        }
        if (inputs.height() != targets.height() || inputs.width() != targets.width()) {
            throw new IllegalArgumentException(description + ": inputs are " + inputs.height() + "x" + inputs.width()
                    + " but targets " + targets.height() + "x" + targets.width());
        }
        this.stacked = new Stacked();
    }

    public ImageDataset inputs() {
        return inputs;
    }

    public ImageDataset targets() {
        return targets;
    }

    public int size() {
        return inputs.size();
    }

    public int height() {
        return inputs.height();
    }

    public int width() {
        return inputs.width();
    }

    public String description() {
        return description;
    }

    /** SHA-256 of the two sets' hashes: identifies the pairs in provenance records. */
    public String contentHash() {
        return stacked.contentHash();
    }

    /** Each pair as one image: the input's channels, then the target's. */
    public ImageDataset stacked() {
        return stacked;
    }

    /** Both sides resampled to height x width (bilinear when enlarging), see {@link Datasets#resized}. */
    public PairedDataset resized(int height, int width) {
        if (height == height() && width == width()) {
            return this;
        }
        return new PairedDataset(Datasets.resized(inputs, height, width), Datasets.resized(targets, height, width),
                description + ", resized to " + height + "x" + width);
    }

    @Override
    public String toString() {
        return description;
    }

    private final class Stacked implements ImageDataset {
        private volatile String hash;

        @Override
        public int size() {
            return inputs.size();
        }

        @Override
        public int channels() {
            return inputs.channels() + targets.channels();
        }

        @Override
        public int height() {
            return inputs.height();
        }

        @Override
        public int width() {
            return inputs.width();
        }

        @Override
        public int numClasses() {
            return targets.numClasses();
        }

        @Override
        public int label(int index) {
            return targets.label(index);
        }

        @Override
        public java.util.List<String> classNames() {
            return targets.classNames();
        }

        @Override
        public void copyImage(int index, float[] dst, int offset) {
            inputs.copyImage(index, dst, offset);
            targets.copyImage(index, dst, offset + inputs.imageSize());
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public String contentHash() {
            String h = hash;
            if (h == null) {
                byte[] key = ("pairs|" + inputs.contentHash() + "|" + targets.contentHash())
                        .getBytes(StandardCharsets.UTF_8);
                h = HexFormat.of().formatHex(dev.gancompress.Digests.sha256().digest(key));
                hash = h;
            }
            return h;
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
