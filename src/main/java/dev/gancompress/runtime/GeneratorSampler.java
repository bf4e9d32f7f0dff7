package dev.gancompress.runtime;

import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws images from a generator on the engine in evaluation mode. Latent codes and labels depend on the seed
 * and the sample index only, so a teacher and its compressed students see exactly the same codes, whatever
 * the batch size.
 */
public final class GeneratorSampler {
    private final Model generator;
    private final Network network;
    private final Input latent;
    private final Input label;

    public GeneratorSampler(Model generator) {
        this.generator = generator;
        this.network = new Network(generator);
        this.latent = generator.input(Input.Kind.LATENT);
        this.label = generator.input(Input.Kind.LABEL);
        if (latent == null) {
            throw new IllegalArgumentException("model " + generator.name() + " has no latent input");
        }
    }

    /** The latent code of sample {@code index} for {@code seed}: standard normal, one stream per sample. */
    public static void latent(long seed, long index, float[] dst, int offset, int dim) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ (index + 1) * 0xC2B2AE3D27D4EB4FL);
        for (int i = 0; i < dim; i++) {
            dst[offset + i] = (float) Initializer.gaussian(rnd);
        }
    }

    /** The class requested for sample {@code index}: cycling through the classes, so every class is balanced. */
    public static int labelFor(long index, int numClasses) {
        return (int) (index % numClasses);
    }

    public int numClasses() {
        return label == null ? 0 : label.numClasses();
    }

    public int[] imageShape() {
        return generator.outputShape().dims();
    }

    /** Generates samples [first, first + count) into dst (NCHW, [-1, 1]). */
    public void generate(long seed, long first, int count, int batchSize, float[] dst) {
        int dim = latent.shape().size();
        int sample = generator.outputShape().size();
        for (int start = 0; start < count; start += batchSize) {
            int n = Math.min(batchSize, count - start);
            float[] z = new float[n * dim];
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                long index = first + start + i;
                latent(seed, index, z, i * dim, dim);
                if (label != null) {
                    y[i] = labelFor(index, label.numClasses());
                }
            }
            Map<String, Tensor> inputs = new HashMap<>();
            inputs.put(latent.name(), new Tensor(new int[] {n, dim}, z));
            if (label != null) {
                inputs.put(label.name(), new Tensor(new int[] {n}, y));
            }
            Tensor out = network.forward(inputs, false);
            System.arraycopy(out.data(), 0, dst, start * sample, n * sample);
        }
    }

    public float[] generate(long seed, int count, int batchSize) {
        float[] dst = new float[count * generator.outputShape().size()];
        generate(seed, 0, count, batchSize, dst);
        return dst;
    }
}
