package dev.gancompress.compress.prune;

import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Activation;
import dev.gancompress.model.Add;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Concat;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Upsample;
import dev.gancompress.nn.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Tiny models and data for the pruning tests. */
final class PruneFixtures {
    private PruneFixtures() {
    }

    /**
     * Every tensor random, running statistics included, so evaluation-mode batch normalisation is not the identity
     * and a wrong channel mapping anywhere shows in the output.
     */
    static Model randomize(Model model, long seed) {
        return dev.gancompress.TestModels.randomize(model, seed);
    }

    /**
     * A generator with a residual block and a concat skip: fc -> [8, 4, 4] -> BN -> ReLU = s; a = ReLU(BN(conv(s)));
     * b = ReLU(BN(conv(a))); r = a + b (a and b must keep the same channels); u = Upsample(concat(r, s)) (the
     * consumer reads s at offset 6); ConvT -> InstanceNorm -> LeakyReLU; to_image -> Tanh.
     */
    static Model residualConcat(long seed) {
        Kernel2d k3 = Kernel2d.square(3, 1, 1);
        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.of("fc", Linear.create(6, 8 * 16, true), "z"));
        nodes.add(Node.of("fc_reshape", new Reshape(Shape.of(8, 4, 4)), "fc"));
        nodes.add(Node.of("fc_bn", BatchNorm2d.create(8), "fc_reshape"));
        nodes.add(Node.of("fc_act", Activation.relu(), "fc_bn"));
        nodes.add(Node.of("a", Conv2d.create(8, 6, k3, false), "fc_act"));
        nodes.add(Node.of("a_bn", BatchNorm2d.create(6), "a"));
        nodes.add(Node.of("a_act", Activation.relu(), "a_bn"));
        nodes.add(Node.of("b", Conv2d.create(6, 6, k3, true), "a_act"));
        nodes.add(Node.of("b_bn", BatchNorm2d.create(6), "b"));
        nodes.add(Node.of("b_act", Activation.relu(), "b_bn"));
        nodes.add(Node.of("res", new Add(), "a_act", "b_act"));
        nodes.add(Node.of("skip", new Concat(), "res", "fc_act"));
        nodes.add(Node.of("up", new Upsample(2), "skip"));
        nodes.add(Node.of("c", ConvTranspose2d.create(14, 5, Kernel2d.square(4, 2, 1), 0, true), "up"));
        nodes.add(Node.of("c_norm", InstanceNorm2d.create(5), "c"));
        nodes.add(Node.of("c_act", Activation.leakyRelu(0.2f), "c_norm"));
        nodes.add(Node.of("to_image", Conv2d.create(5, 1, k3, true), "c_act"));
        nodes.add(Node.of("output", Activation.tanh(), "to_image"));
        Model m = new Model("residual-concat", List.of(Input.latent("z", 6)), nodes, "output", Map.of());
        return randomize(m, seed);
    }

    static Map<String, Tensor> inputs(Model model, int batch, long seed) {
        return dev.gancompress.TestImages.randomInputs(model, batch, seed);
    }

    static ImageDataset blobs(int n, int classes) {
        return dev.gancompress.TestImages.blobs(n, classes);
    }
}
