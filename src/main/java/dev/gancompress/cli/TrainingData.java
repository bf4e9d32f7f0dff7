package dev.gancompress.cli;

import dev.gancompress.data.Datasets;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;

import java.nio.file.Path;

/**
 * The training set a command fine-tunes {@code generator} on, from the one string after {@code --data}: images of
 * the generator's output size (padded, as Fashion-MNIST's 28x28 into 32x32) for a latent GAN; for an image-to-image
 * generator (pix2pix) the (input, target) pairs stacked along channels, which the trainer splits so that the
 * student reads the same input images as the teacher and is compared with the same targets.
 */
final class TrainingData {
    private TrainingData() {
    }

    static ImageDataset open(String data, Path dataDir, Model generator) {
        int[] image = generator.outputShape().dims();
        Input in = generator.input(Input.Kind.IMAGE);
        if (in != null && generator.input(Input.Kind.LATENT) == null) {
            return Datasets.openPaired(data, dataDir, in.shape().channels(), image[0], image[1]).stacked();
        }
        return Datasets.open(data, dataDir, image[0], image[1], image[2], Datasets.Fit.PAD);
    }
}
