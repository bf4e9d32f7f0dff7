package dev.gancompress.runtime.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Tensor;
import dev.gancompress.runtime.InferenceBackend;
import dev.gancompress.runtime.BenchInputs;
import dev.gancompress.runtime.InferenceSession;
import dev.gancompress.runtime.TrainingStep;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.SplittableRandom;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PyTorch (libtorch, CPU) through DJL, as a peer to the engine and ONNX Runtime: the IR runs as PyTorch operators
 * ({@link PyTorchGraph}), in inference mode, on fp32 tensors. Built only with {@code mvn -P djl}. The native library
 * comes from the {@code pytorch-native-cpu} jar; {@code ai.djl.offline} is set so DJL never downloads.
 *
 * <p>PyTorch's thread count is process-wide and fixed when the engine first loads; every session must ask for the
 * same number.
 */
public final class PyTorchInference implements InferenceBackend {
    private static final String ENGINE = "PyTorch";
    private static int loadedThreads = -1;

    @Override
    public String name() {
        return "djl";
    }

    @Override
    public String describe(int threads) {
        return "PyTorch " + engine(threads).getVersion() + " CPU through DJL " + Engine.getDjlVersion() + ", intra-op "
                + threads + " thread(s), inter-op 1, OpenMP wait policy "
                + java.util.Objects.requireNonNullElse(System.getenv("OMP_WAIT_POLICY"), "unset (threads spin)");
    }

    @Override
    public String unavailableReason() {
        try {
            engine(Runtime.getRuntime().availableProcessors());
            return null;
        } catch (GanCompressException e) {
            return e.getMessage();
        }
    }

    /** The PyTorch engine, loaded on first use with {@code threads} intra-op threads. */
    static synchronized Engine engine(int threads) {
        if (loadedThreads < 0) {
            System.setProperty("ai.djl.offline", "true");
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            try {
                Engine e = Engine.getEngine(ENGINE);
                loadedThreads = threads;
                return e;
            } catch (RuntimeException | LinkageError e) {
                throw new GanCompressException("PyTorch through DJL cannot load its native library: " + e);
            }
        }
        return Engine.getEngine(ENGINE);
    }

    private static synchronized void requireThreads(int threads) {
        if (threads != loadedThreads) {
            throw new GanCompressException("PyTorch was loaded with " + loadedThreads
                    + " thread(s) in this process; asked for " + threads);
        }
    }

    @Override
    public InferenceSession open(Model model, int threads) {
        Engine engine = engine(threads);
        requireThreads(threads);
        NDManager manager = engine.newBaseManager();
        PyTorchGraph graph;
        try {
            graph = new PyTorchGraph(model, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        return new InferenceSession() {
            @Override
            public Tensor run(Map<String, Tensor> inputs) {
                try (NDManager batch = manager.newSubManager()) {
                    NDArray y = graph.forward(toTorch(batch, inputs), false);
                    long[] s = y.getShape().getShape();
                    int[] dims = new int[s.length];
                    for (int i = 0; i < s.length; i++) {
                        dims[i] = Math.toIntExact(s[i]);
                    }
                    return new Tensor(dims, y.toFloatArray());
                }
            }

            @Override
            public String precision() {
                return "fp32";
            }

            @Override
            public void close() {
                manager.close();
            }
        };
    }

    @Override
    public TrainingStep openTraining(Model model, int batch, int threads, long seed) {
        Engine engine = engine(threads);
        requireThreads(threads);
        NDManager manager = engine.newBaseManager();
        try {
            PyTorchGraph graph = new PyTorchGraph(model, manager);
            graph.parameters().values().forEach(p -> p.setRequiresGradient(true));
            Map<String, Tensor> feeds = BenchInputs.seeded(model, batch, new SplittableRandom(seed));
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) TrainingStep.LEARNING_RATE))
                    .optBeta1((float) TrainingStep.BETA1).optBeta2((float) TrainingStep.BETA2)
                    .optEpsilon((float) TrainingStep.EPSILON).build();
            return new TrainingStep() {
                @Override
                public void step() {
                    // inputs in a per-step manager: every tensor computed from them goes with it
                    try (NDManager step = manager.newSubManager()) {
                        try (GradientCollector collector = engine.newGradientCollector()) {
                            collector.backward(graph.forward(toTorch(step, feeds), true).mean());
                        }
                        for (Map.Entry<String, NDArray> p : graph.parameters().entrySet()) {
                            NDArray grad = p.getValue().getGradient();
                            adam.update(p.getKey(), p.getValue(), grad);
                            grad.muli(0); // PyTorch accumulates gradients; zero_grad between steps
                        }
                    }
                }

                @Override
                public float[] parameter(String name) {
                    NDArray p = graph.parameters().get(name);
                    if (p == null) {
                        throw new GanCompressException("no trainable tensor '" + name + "' in " + model.name());
                    }
                    return p.toFloatArray();
                }

                @Override
                public void close() {
                    manager.close();
                }
            };
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    static Map<String, NDArray> toTorch(NDManager manager, Map<String, Tensor> inputs) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        inputs.forEach((name, t) -> {
            long[] dims = new long[t.shape().length];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = t.shape()[i];
            }
            out.put(name, manager.create(t.data(), new Shape(dims)));
        });
        return out;
    }
}
