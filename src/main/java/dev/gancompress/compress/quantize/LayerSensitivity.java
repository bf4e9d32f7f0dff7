package dev.gancompress.compress.quantize;

import dev.gancompress.metrics.CostModel;
import dev.gancompress.metrics.CostReport;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What quantising one layer alone costs and saves, per candidate width: the mean squared error of the generator's
 * output against the unquantised model on a fixed seeded batch of latent codes (reported as PSNR, images in
 * [-1, 1]), and the layer's stored weight bytes as the cost model counts them, so the budget is the number the
 * reports show. The reference is the model handed to the pass, not the recipe's teacher: what is measured is what
 * quantisation alone does, whatever earlier steps changed.
 *
 * @param layers   the scanned layers, in graph order
 * @param bits     the candidate widths, in the order given
 * @param mse      mse[layer][candidate]
 * @param bytes    bytes[layer][candidate]: that layer's stored weight bytes (bias and side data included)
 * @param fp32Bytes the whole model's weight bytes at 32 bits, the budget's baseline
 * @param otherBytes the weight bytes of every node that is not scanned, as stored
 */
record LayerSensitivity(List<String> layers, List<Integer> bits, double[][] mse, long[][] bytes, long fp32Bytes,
                        long otherBytes) {
    /** Images are in [-1, 1]: peak-to-peak 2, as {@code metrics.ImageFidelity}. */
    static final double PEAK_SQUARED = 4.0;

    /** The bytes part of the scan, which needs no forward pass: enough to refuse an impossible budget first. */
    static LayerSensitivity bytesOnly(Model model, List<String> layers, List<Integer> bits, String granularity) {
        long[][] bytes = new long[layers.size()][bits.size()];
        for (int b = 0; b < bits.size(); b++) {
            Model q = quantizeAll(model, bits.get(b), granularity, layers);
            Map<String, Long> perNode = nodeBytes(q);
            for (int l = 0; l < layers.size(); l++) {
                bytes[l][b] = perNode.get(layers.get(l));
            }
        }
        CostReport.Totals totals = CostModel.of(model, CostModel.Options.defaults()).totals();
        Map<String, Long> unquantized = nodeBytes(model);
        long other = totals.weightBytes();
        for (String layer : layers) {
            other -= unquantized.get(layer);
        }
        return new LayerSensitivity(List.copyOf(layers), List.copyOf(bits), new double[layers.size()][bits.size()],
                bytes, totals.weightBytesFp32(), other);
    }

    /** The full scan: one forward pass per (layer, width) on {@code samples} latent codes drawn from {@code seed}. */
    static LayerSensitivity scan(Model model, List<String> layers, List<Integer> bits, String granularity,
                                 int samples, long seed) {
        LayerSensitivity s = bytesOnly(model, layers, bits, granularity);
        Map<String, Tensor> inputs = latents(model, samples, seed);
        float[] reference = new Network(model).forward(inputs, false).data();
        for (int l = 0; l < layers.size(); l++) {
            for (int b = 0; b < bits.size(); b++) {
                Model q = quantizeAll(model, bits.get(b), granularity, List.of(layers.get(l)));
                s.mse[l][b] = meanSquaredError(reference, new Network(q).forward(inputs, false).data());
            }
        }
        return s;
    }

    static double psnr(double mse) {
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(PEAK_SQUARED / mse);
    }

    /** ptq-weights at {@code bits} on {@code layers} (16 bits: fp16, which has no per-channel form). */
    static Model quantizeAll(Model model, int bits, String granularity, List<String> layers) {
        QuantizationConfig config = QuantizationConfig.of(bits, bits == 16 ? null : granularity, layers);
        return new PostTrainingQuantization(config).apply(model, null);
    }

    private static Map<String, Long> nodeBytes(Model m) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (CostReport.LayerCost c : CostModel.of(m, CostModel.Options.defaults()).layers()) {
            map.put(c.node(), c.weightBytes());
        }
        return map;
    }

    private static double meanSquaredError(float[] a, float[] b) {
        double se = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            se += d * d;
        }
        return se / a.length;
    }

    /** Standard normal latent codes, labels cycling through the classes: the same batch for every candidate. */
    static Map<String, Tensor> latents(Model model, int samples, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Tensor> map = new HashMap<>();
        for (Input in : model.inputs()) {
            int size = in.shape().size();
            int[] shape = new int[in.shape().rank() + 1];
            shape[0] = samples;
            System.arraycopy(in.shape().dims(), 0, shape, 1, in.shape().rank());
            float[] data = new float[samples * size];
            for (int i = 0; i < data.length; i++) {
                data[i] = in.kind() == Input.Kind.LABEL ? i % in.numClasses() : (float) Initializer.gaussian(rnd);
            }
            map.put(in.name(), new Tensor(shape, data));
        }
        return map;
    }
}
