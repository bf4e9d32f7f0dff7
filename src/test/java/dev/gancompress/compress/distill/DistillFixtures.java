package dev.gancompress.compress.distill;

import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Node;
import dev.gancompress.model.Weights;
import dev.gancompress.nn.Initializer;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.train.GanLoss;
import dev.gancompress.train.GanTrainer;
import dev.gancompress.train.TrainingConfig;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A tiny teacher GAN trained a few steps on synthetic blobs, and helpers to run generators. */
final class DistillFixtures {
    static final DcganSpec TINY = new DcganSpec(8, 1, 28, 8, 4, 0, 0);
    static final DcganSpec TINY_CONDITIONAL = new DcganSpec(8, 1, 28, 8, 4, 3, 4);

    private DistillFixtures() {
    }

    static ImageDataset blobs(int n, int classes) {
        return dev.gancompress.TestImages.blobs(n, classes);
    }

    /** A generator and discriminator trained 16 steps (batch 8), so weights and BatchNorm statistics are not trivial. */
    static Model[] trainedPair(DcganSpec spec, Path dir) {
        TrainingConfig config = new TrainingConfig(2, 8, 2e-3, 2e-3, 0.5, 0.999, GanLoss.NON_SATURATING, 11, 0, 0);
        GanTrainer trainer = new GanTrainer(config);
        Model g = Dcgan.generator(spec);
        Model d = Dcgan.discriminator(spec);
        trainer.initialise(g, d);
        trainer.run(g, d, blobs(64, 3), dir, false);
        return new Model[] {g, d};
    }

    /**
     * A random teacher with outputs of order 1: LeCun-normal weights (std 1/sqrt(fan-in)) instead of DCGAN's
     * N(0, 0.02), whose untrained outputs are all near 0, and BatchNorm running statistics settled by 30
     * training-mode passes, so inference mode is a non-trivial function too.
     */
    static Model randomTeacher(DcganSpec spec, long seed) {
        Model g = lecun(Dcgan.generator(spec), seed);
        Network net = new Network(g);
        for (int i = 0; i < 30; i++) {
            net.forward(inputs(g, 16, seed + 100 + i), true);
        }
        return g;
    }

    /** DCGAN initialisation, then every Conv/ConvTranspose/Linear weight redrawn from N(0, 1/fan-in). */
    static Model lecun(Model m, long seed) {
        Initializer.dcgan(m, seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Node n : m.nodes()) {
            Weights w;
            int fanIn;
            if (n.layer() instanceof Conv2d c) {
                w = c.weight();
                fanIn = c.in() * c.kernel().area();
            } else if (n.layer() instanceof ConvTranspose2d c) {
                w = c.weight();
                fanIn = c.in() * c.kernel().area() / (c.kernel().strideH() * c.kernel().strideW());
            } else if (n.layer() instanceof Linear l) {
                w = l.weight();
                fanIn = l.in();
            } else {
                continue;
            }
            float[] d = w.data();
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) (Initializer.gaussian(rnd) / Math.sqrt(fanIn));
            }
        }
        return m;
    }

    /** Generator inputs for {@code batch} samples from a seed: latent codes and, if conditional, labels. */
    static Map<String, Tensor> inputs(Model generator, int batch, long seed) {
        Map<String, Tensor> map = new HashMap<>();
        Input z = generator.input(Input.Kind.LATENT);
        float[] codes = new float[batch * z.shape().size()];
        GanTrainer.latentNoise(seed, 0, codes);
        map.put(z.name(), new Tensor(new int[] {batch, z.shape().size()}, codes));
        Input label = generator.input(Input.Kind.LABEL);
        if (label != null) {
            float[] l = new float[batch];
            for (int i = 0; i < batch; i++) {
                l[i] = i % label.numClasses();
            }
            map.put(label.name(), new Tensor(new int[] {batch}, l));
        }
        return map;
    }

    static Tensor run(Model generator, Map<String, Tensor> inputs, boolean training) {
        return new Network(generator).forward(inputs, training);
    }
}
