package dev.gancompress.nn;

import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;

import java.util.SplittableRandom;

/**
 * Seeded weight initialisation. DCGAN (Radford et al. 2016): convolution and linear weights ~ N(0, 0.02),
 * normalisation scales ~ N(1, 0.02), biases 0. Each node draws from its own stream derived from the seed and
 * its position, so adding a node later does not change the others.
 */
public final class Initializer {
    private Initializer() {
    }

    public static void dcgan(Model model, long seed) {
        int index = 0;
        for (Node node : model.nodes()) {
            SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + index++);
            boolean norm = node.layer() instanceof BatchNorm2d || node.layer() instanceof InstanceNorm2d;
            for (WeightSlot slot : node.layer().weights()) {
                float[] d = slot.weights().data();
                switch (slot.role()) {
                    case "weight" -> {
                        double mean = norm ? 1.0 : 0.0;
                        for (int i = 0; i < d.length; i++) {
                            d[i] = (float) (mean + 0.02 * gaussian(rnd));
                        }
                    }
                    case "running_var" -> java.util.Arrays.fill(d, 1f);
                    default -> java.util.Arrays.fill(d, 0f);
                }
            }
        }
    }

    /** Box-Muller on a SplittableRandom, whose sequence (unlike Random.nextGaussian's) is fixed by the seed alone. */
    public static double gaussian(SplittableRandom rnd) {
        double u1 = rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
