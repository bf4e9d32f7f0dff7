package dev.gancompress.onnx;

import dev.gancompress.model.Activation;
import dev.gancompress.model.Add;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Concat;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Embedding;
import dev.gancompress.model.Input;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Upsample;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.Weights;
import dev.gancompress.nn.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small models covering every layer type, with seeded random weights and non-trivial BatchNorm statistics. */
public final class OnnxTestModels {
    private OnnxTestModels() {
    }

    /**
     * A generator DAG using every layer but Embedding: Linear, Reshape, BatchNorm, ReLU, ConvTranspose with
     * output padding, InstanceNorm, LeakyReLU, a 1x3 conv, Sigmoid, a residual Add, Upsample, a strided conv
     * without bias, Concat, a rectangular strided transposed conv, Tanh.
     */
    public static Model everyLayer(long seed) {
        List<Node> nodes = List.of(
                Node.of("fc", Linear.create(16, 8 * 4 * 4, true), "z"),
                Node.of("unflatten", new Reshape(Shape.of(8, 4, 4)), "fc"),
                Node.of("bn", new BatchNorm2d(8, 1e-5f, 0.1f, Weights.zeros(8), Weights.zeros(8), Weights.zeros(8),
                        Weights.zeros(8)), "unflatten"),
                Node.of("relu", Activation.relu(), "bn"),
                Node.of("up", ConvTranspose2d.create(8, 6, Kernel2d.square(3, 2, 1), 1, true), "relu"),
                Node.of("in", InstanceNorm2d.create(6), "up"),
                Node.of("lrelu", Activation.leakyRelu(0.2f), "in"),
                Node.of("conv13", Conv2d.create(6, 6, new Kernel2d(1, 3, 1, 1, 0, 1), true), "lrelu"),
                Node.of("gate", Activation.sigmoid(), "conv13"),
                Node.of("res", new Add(), "lrelu", "gate"),
                Node.of("ups", new Upsample(2), "res"),
                Node.of("down", Conv2d.create(6, 4, Kernel2d.square(3, 2, 1), false), "ups"),
                Node.of("skip", new Concat(), "down", "res"),
                Node.of("rect", new ConvTranspose2d(10, 3, new Kernel2d(4, 3, 2, 1, 1, 1), 1, 0,
                        Weights.zeros(10, 3, 4, 3), Weights.zeros(3)), "skip"),
                Node.of("out", Activation.tanh(), "rect"));
        Model m = new Model("every_layer", List.of(Input.latent("z", 16)), nodes, "out",
                Map.of("architecture", "test-dag", "note", "ünïcode ✓"));
        return randomize(m, seed);
    }

    /** A conditional generator: label embeddings joined to the latent code and, as a plane, to the features. */
    public static Model conditional(long seed) {
        List<Node> nodes = List.of(
                Node.of("emb", Embedding.create(5, 4), "y"),
                Node.of("zy", new Concat(), "z", "emb"),
                Node.of("fc", Linear.create(12, 4 * 4 * 4, true), "zy"),
                Node.of("fc_map", new Reshape(Shape.of(4, 4, 4)), "fc"),
                Node.of("bn", BatchNorm2d.create(4), "fc_map"),
                Node.of("act", Activation.relu(), "bn"),
                Node.of("plane", Embedding.create(5, 16), "y"),
                Node.of("plane_map", new Reshape(Shape.of(1, 4, 4)), "plane"),
                Node.of("joined", new Concat(), "act", "plane_map"),
                Node.of("up", ConvTranspose2d.create(5, 3, Kernel2d.square(4, 2, 1), 0, true), "joined"),
                Node.of("img", Activation.tanh(), "up"));
        Model m = new Model("cgan", List.of(Input.latent("z", 8), Input.label("y", 5)), nodes, "img",
                Map.of("dataset", "fashion-mnist"));
        return randomize(m, seed);
    }

    /** A discriminator-like model on an image input: strided conv, flatten, a Linear without bias, Sigmoid. */
    public static Model imageInput(long seed) {
        List<Node> nodes = List.of(
                Node.of("c1", Conv2d.create(3, 4, Kernel2d.square(3, 2, 1), true), "x"),
                Node.of("a1", Activation.leakyRelu(0.2f), "c1"),
                Node.of("flat", new Reshape(Shape.of(4 * 4 * 4)), "a1"),
                Node.of("score", Linear.create(64, 1, false), "flat"),
                Node.of("p", Activation.sigmoid(), "score"));
        return randomize(new Model("critic", List.of(Input.image("x", 3, 8, 8)), nodes, "p", Map.of()), seed);
    }

    /**
     * Fills every tensor with seeded values: weights ~ N(0, 1/fan_in), norm scales near 1, running variances in
     * [0.5, 1.5] and running means away from 0, so BatchNorm in inference mode is not the identity.
     */
    static Model randomize(Model model, long seed) {
        Random rnd = new Random(seed);
        for (Map.Entry<String, WeightSlot> e : model.weightSlots().entrySet()) {
            Weights w = e.getValue().weights();
            String role = e.getValue().role();
            boolean norm = model.node(e.getKey().substring(0, e.getKey().lastIndexOf('.'))).layer() instanceof BatchNorm2d
                    || model.node(e.getKey().substring(0, e.getKey().lastIndexOf('.'))).layer() instanceof InstanceNorm2d;
            float[] d = w.data();
            int fanIn = w.rank() >= 2 ? w.size() / w.dim(0) : 1;
            for (int i = 0; i < d.length; i++) {
                d[i] = switch (role) {
                    case "running_var" -> 0.5f + rnd.nextFloat();
                    case "running_mean" -> (float) (0.3 * rnd.nextGaussian());
                    case "weight" -> norm ? (float) (1 + 0.2 * rnd.nextGaussian())
                            : (float) (rnd.nextGaussian() / Math.sqrt(fanIn));
                    default -> (float) (0.1 * rnd.nextGaussian());
                };
            }
        }
        return model;
    }

    static Map<String, Tensor> inputs(Model model, int batch, long seed) {
        return dev.gancompress.TestImages.randomInputs(model, batch, seed);
    }
}
