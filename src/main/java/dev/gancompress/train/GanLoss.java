package dev.gancompress.train;

import dev.gancompress.nn.Losses;

/**
 * The adversarial objective. NON_SATURATING: D minimises BCE(real, 1) + BCE(fake, 0), G minimises BCE(fake, 1)
 * (Goodfellow et al. 2014). HINGE: D minimises relu(1 - real) + relu(1 + fake), G minimises -fake
 * (Lim and Ye 2017; Miyato et al. 2018).
 */
public enum GanLoss {
    NON_SATURATING, HINGE;

    public double discriminatorReal(float[] logits, float[] grad) {
        return this == HINGE ? Losses.hingeDiscriminator(logits, +1, grad, 1f, false)
                : Losses.bceWithLogits(logits, 1f, grad, 1f, false);
    }

    public double discriminatorFake(float[] logits, float[] grad) {
        return this == HINGE ? Losses.hingeDiscriminator(logits, -1, grad, 1f, false)
                : Losses.bceWithLogits(logits, 0f, grad, 1f, false);
    }

    public double generator(float[] logits, float[] grad, float weight) {
        return this == HINGE ? Losses.hingeGenerator(logits, grad, weight, false)
                : Losses.bceWithLogits(logits, 1f, grad, weight, false);
    }
}
