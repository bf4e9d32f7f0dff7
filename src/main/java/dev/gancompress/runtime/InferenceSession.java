package dev.gancompress.runtime;

import dev.gancompress.nn.Tensor;

import java.util.Map;

/**
 * One model opened on one backend: batches of inputs in (latent codes, class labels as whole-number floats,
 * images for a discriminator; batch first), the model's output out, in the engine's public {@link Tensor} layout.
 * Not thread-safe; close it to release native memory.
 */
public interface InferenceSession extends AutoCloseable {
    Tensor run(Map<String, Tensor> inputs);

    /** What this session computes in, e.g. "fp32" or "int8 QDQ (integer kernels)", for the report. */
    String precision();

    @Override
    void close();
}
