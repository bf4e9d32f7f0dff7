package dev.gancompress.runtime;

import dev.gancompress.model.Model;

/**
 * A runtime that executes IR models: the engine, ONNX Runtime, PyTorch through DJL. One interface so that a
 * benchmark or a check runs the same model and inputs on each and compares like with like; each backend takes
 * the IR and turns it into what it runs (engine kernels, an exported ONNX graph, PyTorch operators).
 * Registered by name in {@link InferenceBackends}.
 */
public interface InferenceBackend {
    /** The registry name ("engine", "ort", "djl"). */
    String name();

    /** Library and version, and the settings every session uses (threads, spinning, optimisation level). */
    String describe(int threads);

    /** Null when this backend can run here; else why not (e.g. not in this build, native library missing). */
    default String unavailableReason() {
        return null;
    }

    /**
     * Opens {@code model} with {@code threads} compute threads. Throws a {@code GanCompressException} naming the
     * model and the layer when this backend cannot run it (e.g. a transposed convolution on DJL's PyTorch engine).
     */
    InferenceSession open(Model model, int threads);

    /**
     * A {@link TrainingStep} of a copy of {@code model} (the model itself is not changed) on a seeded batch of
     * {@code batch}; a {@code GanCompressException} when this backend does not train or cannot run the model.
     */
    default TrainingStep openTraining(Model model, int batch, int threads, long seed) {
        throw new dev.gancompress.GanCompressException("backend '" + name() + "' runs inference only; training "
                + "steps are timed on engine and djl");
    }
}
