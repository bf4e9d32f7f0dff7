package dev.gancompress.compress;

import dev.gancompress.model.Model;

/**
 * The control of every comparison: the teacher itself, fine-tuned with the same steps and losses as the
 * students. A student that beats the teacher may only have trained longer; beating this row is what compression
 * has to show (GAN Compression, CAT and OMGD all compare against teachers trained to convergence).
 */
public final class UncompressedControl implements Compression {
    public static final String NAME = "uncompressed-control";

    /** No settings: the control changes nothing in the model. */
    public record Config() {
    }

    private final Config config;

    public UncompressedControl(Config config) {
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Record config() {
        return config;
    }

    @Override
    public Model apply(Model model, CompressionContext context) {
        return model.copy();
    }
}
