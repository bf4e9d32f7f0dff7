package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.util.Map;

/**
 * A fixed image classifier whose intermediate values serve as features of a training loss (kd_perceptual,
 * kd_mmd): run in inference mode, its weights get no gradient; a loss's gradient at the feature reaches the image
 * through the network's input gradient. Never the evaluation network ({@link EvaluationNetworkGuard}).
 */
final class FeatureNetwork {
    private final Network network;
    private final String imageInput;
    private final String layer;

    FeatureNetwork(Model model, String layer, Model generator, String term) {
        this.layer = check(model, generator, layer, term);
        this.imageInput = model.input(Input.Kind.IMAGE).name();
        this.network = new Network(model);
    }

    /**
     * Checks before training that the network reads images of the generator's shape; returns the layer (absent:
     * the feature layer its metadata records, else its output).
     */
    static String check(Model network, Model generator, String layer, String term) {
        if (network == null) {
            throw new GanCompressException(term + " needs a feature network (featureNetwork)");
        }
        Input image = network.input(Input.Kind.IMAGE);
        if (image == null || network.inputs().size() != 1 || !image.shape().equals(generator.outputShape())) {
            throw new GanCompressException(term + ": feature network " + network.name()
                    + " must have one image input of shape " + generator.outputShape() + " (the generator's output)"
                    + ", it has " + network.inputs().stream().map(i -> i.name() + " " + i.shape()).toList());
        }
        String chosen = layer != null ? layer
                : network.metadata().getOrDefault("evaluator.feature_layer", network.output());
        if (network.nodes().stream().noneMatch(n -> n.name().equals(chosen))) {
            throw new GanCompressException(term + " layer '" + chosen + "' is not a node of feature network "
                    + network.name());
        }
        return chosen;
    }

    /** The features of {@code images} (batch-first, a copy). */
    float[] features(Tensor images) {
        network.forward(Map.of(imageInput, images), false);
        return network.value(layer).data().clone();
    }

    /**
     * The features of {@code images}, then, given the loss gradient at them from {@code gradient}, adds the
     * gradient with respect to the images into {@code imageGrad}.
     */
    float[] featuresWithGradient(Tensor images, java.util.function.Function<float[], float[]> gradient,
                                 float[] imageGrad) {
        Tensor out = network.forward(Map.of(imageInput, images), false);
        float[] feats = network.value(layer).data().clone();
        float[] grad = gradient.apply(feats);
        network.backward(Tensor.zeros(out.shape()), Map.of(layer, grad), false);
        float[] toImage = network.inputGradient(imageInput).data();
        for (int i = 0; i < imageGrad.length; i++) {
            imageGrad[i] += toImage[i];
        }
        return feats;
    }

    String layer() {
        return layer;
    }
}
