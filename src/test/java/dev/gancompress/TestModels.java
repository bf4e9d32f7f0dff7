package dev.gancompress;

import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;

import java.util.Random;

/** Seeded weights for tests of several packages (pruning, low-rank, quantisation). */
public final class TestModels {
    private TestModels() {
    }

    /**
     * Every tensor random, running statistics too: weights ~ N(0, 1/fan-in), normalisation scales ~ N(1, 0.3^2),
     * biases and shifts ~ N(0, 0.2^2), so that no channel is trivially zero or identical to another.
     */
    public static Model randomize(Model model, long seed) {
        Random rnd = new Random(seed);
        for (Node n : model.nodes()) {
            boolean norm = n.layer() instanceof BatchNorm2d || n.layer() instanceof InstanceNorm2d;
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
        return model;
    }
}
