package dev.gancompress.runtime;

import dev.gancompress.model.Model;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxExporter;

import java.util.Map;
import java.util.Set;

/**
 * ONNX Runtime (CPU) on the model's ONNX export: fp32 graphs as they are, quantised weights as QDQ with stored
 * integers, int8 activations as QDQ pairs that ORT fuses into QLinearConv/QGemm. Sessions use the explicit settings
 * of {@link OnnxRuntimeBackend#configure}: intra-op threads as asked, spinning off, every graph optimisation.
 */
public final class OnnxRuntimeInference implements InferenceBackend {
    @Override
    public String name() {
        return "ort";
    }

    @Override
    public String describe(int threads) {
        return "ONNX Runtime " + OnnxRuntimeBackend.version() + " CPU, intra-op " + threads
                + " thread(s), inter-op 1, spinning off, optimisation " + OnnxRuntimeBackend.OPTIMIZATION;
    }

    @Override
    public InferenceSession open(Model model, int threads) {
        OnnxRuntimeBackend ort = new OnnxRuntimeBackend(OnnxExporter.toBytes(model, Map.of()), threads);
        String precision = precision(model);
        return new InferenceSession() {
            @Override
            public Tensor run(Map<String, Tensor> inputs) {
                return ort.run(inputs);
            }

            @Override
            public String precision() {
                return precision;
            }

            @Override
            public void close() {
                ort.close();
            }
        };
    }

    static String precision(Model model) {
        Set<String> weights = StorageKinds.lossyWeights(model);
        if (StorageKinds.quantizedActivations(model)) {
            return "int8 QDQ (integer kernels)";
        }
        if (!weights.isEmpty()) {
            return "QDQ " + String.join("/", weights) + " weights (fp32 kernels)";
        }
        return "fp32";
    }
}
