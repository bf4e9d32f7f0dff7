package dev.gancompress.data;

import dev.gancompress.GanCompressException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017, arXiv:1708.07747): 60000 training and 10000 test
 * greyscale 28x28 images of 10 clothing classes, in IDX files; the default data of gancompress.
 */
public final class FashionMnist {
    /** Where the Debian package dataset-fashion-mnist installs the files. */
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Environment variable naming the data directory when --data is not given. */
    public static final String DATA_ENV = "GANCOMPRESS_DATA";
    /** Label order of the original release. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final String HINT = "install it with: apt-get install -y dataset-fashion-mnist or pass --data DIR";

    private FashionMnist() {
    }

    /**
     * Finds the directory holding the four IDX files: {@code dataDirOrNull} if given, else $GANCOMPRESS_DATA,
     * else {@link #SYSTEM_DIR}. A directory that has a "fashion-mnist" sub-folder with the files also works.
     */
    public static Path locate(Path dataDirOrNull) {
        Path dir;
        String origin;
        if (dataDirOrNull != null) {
            dir = dataDirOrNull;
            origin = "--data";
        } else if (System.getenv(DATA_ENV) != null && !System.getenv(DATA_ENV).isBlank()) {
            dir = Path.of(System.getenv(DATA_ENV));
            origin = "$" + DATA_ENV;
        } else {
            dir = SYSTEM_DIR;
            origin = "the default location";
        }
        for (Path candidate : List.of(dir, dir.resolve("fashion-mnist"))) {
            if (find(candidate, "train-images-idx3-ubyte") != null) {
                return candidate;
            }
        }
        throw new GanCompressException("Fashion-MNIST not found in " + dir + " (" + origin
                + "): expected train-images-idx3-ubyte.gz there; " + HINT);
    }

    /** The 60000 training images with labels; {@code dir} may be null (see {@link #locate}). */
    public static ImageDataset train(Path dir) {
        return load(dir, "train", "fashion-mnist train");
    }

    /** The 10000 test images with labels; {@code dir} may be null (see {@link #locate}). */
    public static ImageDataset test(Path dir) {
        return load(dir, "t10k", "fashion-mnist test");
    }

    private static ImageDataset load(Path dirOrNull, String prefix, String name) {
        Path dir = locate(dirOrNull);
        Path images = require(dir, prefix + "-images-idx3-ubyte");
        Path labels = require(dir, prefix + "-labels-idx1-ubyte");
        return IdxDataset.load(images, labels, name, CLASS_NAMES);
    }

    private static Path require(Path dir, String base) {
        Path file = find(dir, base);
        if (file == null) {
            throw new GanCompressException("Fashion-MNIST in " + dir + " is incomplete: missing " + base + ".gz; " + HINT);
        }
        return file;
    }

    /** The gzipped file as distributed, or the same file already unpacked. */
    private static Path find(Path dir, String base) {
        for (Path p : List.of(dir.resolve(base + ".gz"), dir.resolve(base))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
