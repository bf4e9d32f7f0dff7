package dev.gancompress.runtime;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Adam;
import dev.gancompress.nn.InferenceNetwork;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Parameter;
import dev.gancompress.nn.Parallel;
import dev.gancompress.nn.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gancompress engine. "engine" runs the model compiled for inference ({@link InferenceNetwork}: BatchNorm
 * folded, activations in the GEMM epilogue, packed weights, small-batch paths); "engine-unfused" runs the training
 * path's evaluation forward ({@link Network}, one kernel per layer), so a benchmark can show what the inference
 * compilation gains in the same run. It computes in fp32: weights stored in a lossy form
 * (int-N, fp16, codebooks) are decoded to fp32 once and int8 activations are rounded to their grid in fp32
 * (what an int8 runtime computes, simulated), so such a model runs at fp32 speed here; the precision column says so.
 * Its threads are the engine's one pool ({@code -Dgancompress.threads}), fixed for the process.
 */
public final class EngineInference implements InferenceBackend {
    private final boolean fused;

    /** @param fused true: the inference compilation; false: the training path's evaluation forward */
    EngineInference(boolean fused) {
        this.fused = fused;
    }

    @Override
    public String name() {
        return fused ? "engine" : "engine-unfused";
    }

    @Override
    public String describe(int threads) {
        return "gancompress engine (pure Java, Vector API, " + (fused ? "compiled for inference: BatchNorm folded, "
                + "activations fused" : "training path, one kernel per layer") + "), pool of " + Parallel.threads()
                + " thread(s)";
    }

    @Override
    public InferenceSession open(Model model, int threads) {
        if (threads != Parallel.threads()) {
            throw new GanCompressException("the engine runs on its pool of " + Parallel.threads()
                    + " thread(s), fixed per process (-Dgancompress.threads=N); asked for " + threads);
        }
        String precision = precision(model);
        java.util.function.Function<Map<String, Tensor>, Tensor> forward;
        if (fused) {
            InferenceNetwork network = new InferenceNetwork(model);
            forward = network::forward;
        } else {
            Network network = new Network(model);
            forward = inputs -> network.forward(inputs, false);
        }
        return new InferenceSession() {
            @Override
            public Tensor run(Map<String, Tensor> inputs) {
                return forward.apply(inputs);
            }

            @Override
            public String precision() {
                return precision;
            }

            @Override
            public void close() {
                // heap only: the network's buffers go with it
            }
        };
    }

    @Override
    public TrainingStep openTraining(Model model, int batch, int threads, long seed) {
        if (threads != Parallel.threads()) {
            throw new GanCompressException("the engine runs on its pool of " + Parallel.threads()
                    + " thread(s), fixed per process (-Dgancompress.threads=N); asked for " + threads);
        }
        Network network = new Network(model.copy());
        Adam adam = new Adam(network.parameters(), new Adam.Settings(TrainingStep.LEARNING_RATE, TrainingStep.BETA1,
                TrainingStep.BETA2, TrainingStep.EPSILON, 0));
        Map<String, Tensor> feeds = BenchInputs.seeded(model, batch, new java.util.SplittableRandom(seed));
        return new TrainingStep() {
            @Override
            public void step() {
                network.zeroGradients();
                Tensor y = network.forward(feeds, true);
                float[] grad = new float[y.data().length];
                java.util.Arrays.fill(grad, 1f / grad.length);
                network.backward(new Tensor(y.shape(), grad), true);
                adam.step(TrainingStep.LEARNING_RATE);
            }

            @Override
            public float[] parameter(String name) {
                for (Parameter p : network.parameters()) {
                    if (p.name().equals(name)) {
                        return p.weights().data().clone();
                    }
                }
                throw new GanCompressException("no trainable tensor '" + name + "' in " + model.name());
            }

            @Override
            public void close() {
                // heap only
            }
        };
    }

    static String precision(Model model) {
        Set<String> weights = StorageKinds.lossyWeights(model);
        List<String> simulated = new ArrayList<>();
        if (!weights.isEmpty()) {
            simulated.add(String.join("/", weights) + " weights decoded");
        }
        if (StorageKinds.quantizedActivations(model)) {
            simulated.add("int8 activations simulated");
        }
        return simulated.isEmpty() ? "fp32" : "fp32 (" + String.join(", ", simulated) + ")";
    }
}
