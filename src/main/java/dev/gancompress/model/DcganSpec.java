package dev.gancompress.model;

import dev.gancompress.GanCompressException;

/**
 * Hyperparameters of a DCGAN pair (Radford et al. 2016) for small images. {@code width} is the channel count of
 * the last generator block; earlier blocks have 2x and 4x. {@code numClasses > 0} makes the pair
 * class-conditional (Mirza and Osindero 2014): the label is embedded and concatenated to the latent code, and
 * for the discriminator embedded as an extra image plane.
 */
public record DcganSpec(int latentDim, int channels, int imageSize, int width, int discriminatorWidth,
                        int numClasses, int embeddingDim) {
    public DcganSpec {
        if (latentDim < 1 || channels < 1 || width < 1 || discriminatorWidth < 1 || numClasses < 0
                || (numClasses > 0 && embeddingDim < 1)) {
            throw new GanCompressException("DCGAN spec: latent dim, channels and widths must be >= 1, classes >= 0"
                    + " (got latent=" + latentDim + ", channels=" + channels + ", width=" + width + ", d-width="
                    + discriminatorWidth + ", classes=" + numClasses + ", embedding=" + embeddingDim + ")");
        }
        if (imageSize != 28 && imageSize != 32) {
            throw new GanCompressException("DCGAN spec: image size must be 28 or 32, got " + imageSize);
        }
    }

    /** The bundled Fashion-MNIST teacher: about 1.3 M generator parameters, 30 M MACs per image. */
    public static DcganSpec fashionTeacher(int numClasses) {
        return new DcganSpec(100, 1, 28, 48, 48, numClasses, numClasses > 0 ? 50 : 0);
    }

    public boolean conditional() {
        return numClasses > 0;
    }
}
