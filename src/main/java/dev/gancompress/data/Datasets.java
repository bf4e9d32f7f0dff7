package dev.gancompress.data;

import dev.gancompress.GanCompressException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a dataset from the one string a user types after --dataset: "fashion-mnist" (the training
 * split), "fashion-mnist-test", a path to an IDX images file (its labels file is looked up next to it),
 * or a directory of PNG/JPEG images (see {@link ImageFolderDataset}).
 */
public final class Datasets {
    /** How a set whose images are smaller or larger than the model's is brought to the model's size. */
    public enum Fit {
        /** Resample the image (bilinear enlarging, area average shrinking). */
        RESIZE,
        /** Centre it on a black canvas; only enlarges. Keeps the pixels exact. */
        PAD
    }

    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String FASHION_MNIST_TEST = "fashion-mnist-test";

    private Datasets() {
    }

    /**
     * Opens {@code spec} at its own size. Image folders have no own size, so they need
     * {@link #open(String, Path, int, int, int, Fit)}.
     *
     * @param dataDirOrNull where to look for Fashion-MNIST (see {@link FashionMnist#locate})
     */
    public static ImageDataset open(String spec, Path dataDirOrNull) {
        ImageDataset ds = openNative(spec, dataDirOrNull);
        if (ds == null) {
            throw new GanCompressException("dataset " + spec + " is an image folder: give the image size to load it at");
        }
        return ds;
    }

    /**
     * Opens {@code spec} as channels x height x width images: folders are decoded at that size, IDX
     * sets of another size are fitted with a {@link ResizedDataset} or {@link PaddedDataset} view.
     */
    public static ImageDataset open(String spec, Path dataDirOrNull, int channels, int height, int width, Fit fit) {
        ImageDataset ds = openNative(spec, dataDirOrNull);
        if (ds == null) {
            return ImageFolderDataset.load(Path.of(spec), channels, height, width);
        }
        if (ds.channels() != channels) {
            throw new GanCompressException("dataset " + spec + " has " + ds.channels() + " channel(s) but "
                    + channels + " are needed; pass an image folder to convert colour images");
        }
        if (ds.height() == height && ds.width() == width) {
            return ds;
        }
        if (fit == Fit.PAD) {
            if (ds.height() > height || ds.width() > width) {
                throw new GanCompressException("dataset " + spec + " has " + ds.height() + "x" + ds.width()
                        + " images, larger than " + height + "x" + width + ": they can be resized, not padded");
            }
            return padded(ds, height, width);
        }
        return resized(ds, height, width);
    }

    /**
     * Opens paired (input, target) data from the one string a user types after --data of an image-to-image model:
     * "edges-fashion-mnist" (train) or "edges-fashion-mnist-test" (see {@link EdgeMaps}), or a directory in one of
     * the aligned layouts of {@link PairedFolders}, resized to size x size when its images have another size.
     */
    public static PairedDataset openPaired(String spec, Path dataDirOrNull, int inputChannels, int targetChannels,
                                           int size) {
        PairedDataset pairs;
        switch (spec) {
            case EdgeMaps.EDGES_FASHION_MNIST -> pairs = EdgeMaps.fashionTrain(dataDirOrNull);
            case EdgeMaps.EDGES_FASHION_MNIST_TEST -> pairs = EdgeMaps.fashionTest(dataDirOrNull);
            default -> {
                Path dir = Path.of(spec);
                if (!Files.isDirectory(dir)) {
                    throw new GanCompressException("paired dataset " + spec + ": not found; expected "
                            + EdgeMaps.EDGES_FASHION_MNIST + ", " + EdgeMaps.EDGES_FASHION_MNIST_TEST
                            + ", a directory of A|B images (input left, target right) or a directory with A/ and B/"
                            + " sub-folders of images with matching names");
                }
                pairs = PairedFolders.load(dir, inputChannels, targetChannels);
            }
        }
        if (pairs.inputs().channels() != inputChannels || pairs.targets().channels() != targetChannels) {
            throw new GanCompressException("paired dataset " + spec + " has " + pairs.inputs().channels()
                    + "-channel inputs and " + pairs.targets().channels() + "-channel targets, but the model needs "
                    + inputChannels + " and " + targetChannels);
        }
        return pairs.resized(size, size);
    }

    /** A view of {@code ds} resampled to height x width (bilinear when enlarging). */
    public static ImageDataset resized(ImageDataset ds, int height, int width) {
        return ds.height() == height && ds.width() == width ? ds : new ResizedDataset(ds, height, width);
    }

    /** The centre height x width window of every image of {@code ds}, e.g. 32x32 -> 28x28 (undoes {@link #padded}). */
    public static ImageDataset cropped(ImageDataset ds, int height, int width) {
        return ds.height() == height && ds.width() == width ? ds : new CroppedDataset(ds, height, width);
    }

    /** A view of {@code ds} centred on a black height x width canvas, e.g. 28x28 -> 32x32. */
    public static ImageDataset padded(ImageDataset ds, int height, int width) {
        return ds.height() == height && ds.width() == width ? ds : new PaddedDataset(ds, height, width);
    }

    /**
     * The labels file that the standard naming pairs with an IDX images file ("train-images-idx3-ubyte.gz"
     * -> "train-labels-idx1-ubyte.gz"), or null if there is none.
     */
    public static Path labelsFileFor(Path images) {
        String name = images.getFileName().toString();
        String labels = name.replace("images", "labels").replace("idx3", "idx1");
        if (labels.equals(name)) {
            return null;
        }
        Path candidate = images.resolveSibling(labels);
        return Files.isRegularFile(candidate) ? candidate : null;
    }

    /** The dataset at its own size, or null if {@code spec} is an image folder. */
    private static ImageDataset openNative(String spec, Path dataDirOrNull) {
        switch (spec) {
            case FASHION_MNIST, "fashion-mnist-train":
                return FashionMnist.train(dataDirOrNull);
            case FASHION_MNIST_TEST:
                return FashionMnist.test(dataDirOrNull);
            default:
                break;
        }
        Path path = Path.of(spec);
        if (Files.isDirectory(path)) {
            return null;
        }
        if (Files.isRegularFile(path)) {
            return IdxDataset.load(path, labelsFileFor(path));
        }
        throw new GanCompressException("dataset " + spec + ": not found; expected " + FASHION_MNIST + ", "
                + FASHION_MNIST_TEST + ", an IDX images file or a directory of PNG/JPEG images");
    }
}
