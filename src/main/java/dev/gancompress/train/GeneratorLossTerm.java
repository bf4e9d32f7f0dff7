package dev.gancompress.train;

import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.util.Map;

/**
 * An extra, named term of the generator's objective (distillation, reconstruction, ...), evaluated after the
 * generator's forward pass on the step's inputs. It adds its weighted gradient with respect to the generator
 * output into {@code outputGrad} and may inject gradients at intermediate values through {@code extraGrads}
 * (feature distillation), keyed by value name. Returns the unweighted loss for logging.
 */
public interface GeneratorLossTerm {
    String name();

    double apply(Network generator, Map<String, Tensor> inputs, Tensor output, float[] outputGrad,
                 Map<String, float[]> extraGrads, long step);

    /** Called after the generator's optimiser step, so terms with their own parameters (adapters) can update. */
    default void afterStep(long step) {
    }
}
