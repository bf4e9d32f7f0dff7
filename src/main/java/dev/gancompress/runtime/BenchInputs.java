package dev.gancompress.runtime;

import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded inputs for any model: latent codes standard normal, images uniform in [-1, 1] (a generator's tanh range,
 * what a discriminator sees), class labels cycling through the classes.
 */
public final class BenchInputs {
    private BenchInputs() {
    }

    public static Map<String, Tensor> seeded(Model model, int batch, SplittableRandom rnd) {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (Input in : model.inputs()) {
            int size = in.kind() == Input.Kind.LABEL ? 1 : in.shape().size();
            float[] data = new float[batch * size];
            for (int i = 0; i < data.length; i++) {
                data[i] = switch (in.kind()) {
                    case LABEL -> i % in.numClasses();
                    case IMAGE -> (float) rnd.nextDouble(-1, 1);
                    case LATENT -> (float) Initializer.gaussian(rnd);
                };
            }
            int[] dims = in.kind() == Input.Kind.LABEL ? new int[0] : in.shape().dims();
            int[] shape = new int[dims.length + 1];
            shape[0] = batch;
            System.arraycopy(dims, 0, shape, 1, dims.length);
            feeds.put(in.name(), new Tensor(shape, data));
        }
        return feeds;
    }
}
