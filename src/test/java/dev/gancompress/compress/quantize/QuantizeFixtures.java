package dev.gancompress.compress.quantize;

import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;

import java.util.Random;

/** A small seeded DCGAN generator (Linear, ConvTranspose2d, Conv2d, BatchNorm) for the quantisation tests. */
final class QuantizeFixtures {
    private QuantizeFixtures() {
    }

    /** Conditional when {@code classes} > 0 (adds Embedding tables). */
    static Model dcgan(long seed, int classes) {
        Model m = Dcgan.generator(new DcganSpec(16, 1, 28, 8, 8, classes, classes > 0 ? 6 : 0));
        Random rnd = new Random(seed);
        for (Node n : m.nodes()) {
            boolean norm = n.layer() instanceof BatchNorm2d;
            for (WeightSlot slot : n.layer().weights()) {
                float[] d = slot.weights().data();
                int fanIn = slot.weights().rank() >= 2 ? d.length / slot.weights().dim(0) : 1;
                for (int i = 0; i < d.length; i++) {
                    d[i] = switch (slot.role()) {
                        case "running_var" -> 0.5f + rnd.nextFloat();
                        case "running_mean" -> (float) (0.3 * rnd.nextGaussian());
                        case "weight" -> norm ? (float) (1 + 0.3 * rnd.nextGaussian())
                                : (float) (rnd.nextGaussian() / Math.sqrt(fanIn));
                        default -> (float) (0.2 * rnd.nextGaussian());
                    };
                }
            }
        }
        return m;
    }
}
