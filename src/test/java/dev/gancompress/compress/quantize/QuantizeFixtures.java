package dev.gancompress.compress.quantize;

import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;


/** A small seeded DCGAN generator (Linear, ConvTranspose2d, Conv2d, BatchNorm) for the quantisation tests. */
final class QuantizeFixtures {
    private QuantizeFixtures() {
    }

    /** Conditional when {@code classes} > 0 (adds Embedding tables). */
    static Model dcgan(long seed, int classes) {
        return dev.gancompress.TestModels.randomize(
                Dcgan.generator(new DcganSpec(16, 1, 28, 8, 8, classes, classes > 0 ? 6 : 0)), seed);
    }
}
