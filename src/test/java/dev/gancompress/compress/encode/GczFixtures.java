package dev.gancompress.compress.encode;

import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.compress.quantize.QuantizationConfig;
import dev.gancompress.model.Model;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;
import dev.gancompress.onnx.OnnxTestModels;

import java.util.List;
import java.util.Random;

/** Models for the container tests: every layer type, and every storage kind on some tensor. */
final class GczFixtures {
    private GczFixtures() {
    }

    static Model quantized(Model m, String layer, QuantizationConfig config) {
        return CompressionRegistry.create("ptq-weights", new QuantizationConfig(config.bits(), config.scheme(),
                config.granularity(), config.floatFormat(), List.of(layer))).apply(m, null);
    }

    /** every-layer DAG with int8 asymmetric, int4, ternary, binary, fp16 and a codebook on different layers. */
    static Model everyStorageKind(long seed) {
        Model m = OnnxTestModels.everyLayer(seed);
        m = quantized(m, "fc", new QuantizationConfig(8, "asymmetric", null, null, null));
        m = quantized(m, "up", new QuantizationConfig(4, null, null, null, null));
        m = quantized(m, "conv13", new QuantizationConfig(2, null, null, null, null));
        m = quantized(m, "down", new QuantizationConfig(1, null, "per-tensor", null, null));
        m = quantized(m, "rect", new QuantizationConfig(16, null, null, "fp16", null));
        return m;
    }

    static Model conditionalBf16(long seed) {
        Model m = OnnxTestModels.conditional(seed);
        m = quantized(m, "emb", new QuantizationConfig(16, null, null, "bf16", null));
        return quantized(m, "up", new QuantizationConfig(8, null, "per-tensor", null, null));
    }

    /** The small critic with a pruned (80 %) first conv and a 4-centroid codebook on its Linear. */
    static Model prunedAndShared(long seed) {
        Model m = OnnxTestModels.imageInput(seed);
        Weights c1 = m.node("c1").layer().weights().get(0).weights();
        Random rnd = new Random(seed);
        float[] mask = new float[c1.size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = rnd.nextDouble() < 0.8 ? 0f : 1f;
        }
        c1.setMask(mask);
        Weights score = m.node("score").layer().weights().get(0).weights();
        score.setStorage(new WeightStorage.Codebook(new float[] {-0.2f, -0.05f, 0f, 0.1f}));
        score.projectToStorage();
        return m;
    }
}
