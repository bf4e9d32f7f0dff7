package dev.gancompress.runtime;

import dev.gancompress.model.Activation;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Concat;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Embedding;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Upsample;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.nn.Initializer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small models with every weight (BatchNorm statistics included) drawn from a seed, for backend tests. */
final class TinyModels {
    private TinyModels() {
    }

    /**
     * z(8) [+ label embedding(3)] -> Linear -> 8x7x7 -> BN -> ReLU -> Upsample x2 -> Conv 3x3 to 4 -> BN ->
     * LeakyReLU -> Upsample x2 -> Conv 3x3 to 1 -> Tanh: a generator without transposed convolutions.
     */
    static Model upsampleConvGenerator(boolean conditional, long seed) {
        List<Input> inputs = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        inputs.add(Input.latent(Dcgan.LATENT, 8));
        String x = Dcgan.LATENT;
        int in = 8;
        if (conditional) {
            inputs.add(Input.label(Dcgan.LABEL, 5));
            nodes.add(Node.of("embed", Embedding.create(5, 3), Dcgan.LABEL));
            nodes.add(Node.of("cat", new Concat(), Dcgan.LATENT, "embed"));
            x = "cat";
            in = 11;
        }
        nodes.add(Node.of("fc", Linear.create(in, 8 * 7 * 7, true), x));
        nodes.add(Node.of("fc_reshape", new Reshape(Shape.of(8, 7, 7)), "fc"));
        nodes.add(Node.of("fc_bn", BatchNorm2d.create(8), "fc_reshape"));
        nodes.add(Node.of("fc_act", Activation.relu(), "fc_bn"));
        nodes.add(Node.of("up1", new Upsample(2), "fc_act"));
        nodes.add(Node.of("conv1", Conv2d.create(8, 4, Kernel2d.square(3, 1, 1), false), "up1"));
        nodes.add(Node.of("conv1_bn", BatchNorm2d.create(4), "conv1"));
        nodes.add(Node.of("conv1_act", Activation.leakyRelu(0.2f), "conv1_bn"));
        nodes.add(Node.of("up2", new Upsample(2), "conv1_act"));
        nodes.add(Node.of("to_image", Conv2d.create(4, 1, Kernel2d.square(3, 1, 1), true), "up2"));
        nodes.add(Node.of("output", Activation.tanh(), "to_image"));
        return randomized(new Model(conditional ? "tiny-upsample-cgan" : "tiny-upsample-gan", inputs, nodes,
                "output", Map.of("role", "generator")), seed);
    }

    /** A DCGAN generator (transposed convolutions) of width 4 for 28x28. */
    static Model dcganGenerator(long seed) {
        return randomized(Dcgan.generator(new DcganSpec(8, 1, 28, 4, 4, 0, 0)), seed);
    }

    /** The DCGAN discriminator of width 4 for 28x28 (convolutions, BatchNorm, LeakyReLU, Linear). */
    static Model discriminator(long seed) {
        return randomized(Dcgan.discriminator(new DcganSpec(8, 1, 28, 4, 4, 0, 0)), seed);
    }

    /** DCGAN initialisation, then BatchNorm statistics and affine parameters away from 0 and 1. */
    static Model randomized(Model m, long seed) {
        Initializer.dcgan(m, seed);
        SplittableRandom rnd = new SplittableRandom(seed + 1);
        for (Node n : m.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                float[] w = slot.weights().data();
                boolean variance = slot.role().equals("running_var");
                boolean bn = n.layer() instanceof BatchNorm2d;
                for (int i = 0; i < w.length; i++) {
                    if (variance) {
                        w[i] = (float) rnd.nextDouble(0.5, 2.0);
                    } else if (bn || slot.role().equals("bias")) {
                        w[i] = (float) rnd.nextDouble(-0.5, 0.5) + (slot.role().equals("weight") ? 1f : 0f);
                    }
                }
            }
        }
        return m;
    }
}
