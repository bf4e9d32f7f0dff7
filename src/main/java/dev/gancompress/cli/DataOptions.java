package dev.gancompress.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Which training images a command fine-tunes on. */
final class DataOptions {
    @Option(names = "--data", defaultValue = "fashion-mnist",
            description = "Training images for fine-tuning: fashion-mnist or a folder of images; for an image-to-image "
                    + "teacher, paired data: edges-fashion-mnist or a folder of A|B images or of A/ and B/ (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--data-dir", description = "Where the Fashion-MNIST IDX files are (default: the Debian package's).")
    Path dataDir;
}
