package dev.gancompress.runtime;

/**
 * One training step of a model on a backend, for comparing training speed: forward in training mode on a fixed
 * seeded batch, backward of the mean of the output (every output element gets gradient 1/size), and an Adam update
 * of every trainable tensor (DCGAN's settings: lr 2e-4, betas 0.5 and 0.999, eps 1e-8). The loss is deliberately
 * trivial: the work of a step (forward, backward with parameter gradients, optimiser) is what a GAN step does per
 * network, without the loss arithmetic that differs between libraries.
 */
public interface TrainingStep extends AutoCloseable {
    double LEARNING_RATE = 2e-4;
    double BETA1 = 0.5;
    double BETA2 = 0.999;
    double EPSILON = 1e-8;

    void step();

    /** The current values of the trainable tensor "node.role", for checking that backends train alike. */
    float[] parameter(String name);

    @Override
    void close();
}
