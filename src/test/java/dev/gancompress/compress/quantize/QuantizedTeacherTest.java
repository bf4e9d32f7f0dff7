package dev.gancompress.compress.quantize;

import dev.gancompress.metrics.ImageFidelity;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.runtime.OnnxVerification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The acceptance figures on the bundled teacher (models/dcgan-fashion.onnx): file sizes of the quantised exports,
 * ONNX Runtime agreement with the engine's fake-quantised forward, and PSNR to the fp32 teacher on 64 seeded
 * latent codes. Each measured figure is printed, so the test log is the record.
 */
class QuantizedTeacherTest {
    private static Model teacher;
    private static int fp32Bytes;
    private static Map<String, Tensor> latents;
    private static Tensor reference;

    @BeforeAll
    static void load() {
        teacher = OnnxImporter.read(Path.of("models", "dcgan-fashion.onnx"));
        fp32Bytes = OnnxExporter.toBytes(teacher, Map.of()).length;
        SplittableRandom rnd = new SplittableRandom(64);
        float[] z = new float[64 * 100];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) Initializer.gaussian(rnd);
        }
        latents = Map.of("z", new Tensor(new int[] {64, 100}, z));
        reference = new Network(teacher).forward(latents, false);
    }

    private static Model quantized(QuantizationConfig config) {
        return new PostTrainingQuantization(config).apply(teacher, null);
    }

    /** Exports, checks in ORT, measures size and PSNR, prints them, returns the size fraction of fp32. */
    private static double measure(QuantizationConfig config, double minPsnr) {
        Model q = quantized(config);
        byte[] bytes = OnnxExporter.toBytes(q, Map.of());
        OnnxVerification.Result ort = OnnxVerification.check(q, bytes, config.describe());
        Tensor out = new Network(q).forward(latents, false);
        double psnr = ImageFidelity.psnr(reference.data(), out.data(), 64, 1, 28, 28);
        double fraction = (double) bytes.length / fp32Bytes;
        System.out.printf(Locale.ROOT, "%-32s %,10d bytes (%.1f%% of fp32 %,d), ORT max |diff| %.2e, PSNR %.2f dB%n",
                config.describe(), bytes.length, 100 * fraction, fp32Bytes, ort.maxAbsDifference(), psnr);
        assertThat(ort.maxAbsDifference()).as(config.describe() + " ORT vs engine").isLessThanOrEqualTo(1e-4);
        assertThat(psnr).as(config.describe() + " PSNR to fp32").isGreaterThan(minPsnr);
        return fraction;
    }

    @Test
    void int8PerChannelFileIsAtMost27PercentOfFp32() {
        assertThat(measure(QuantizationConfig.integers(8), 30)).isLessThanOrEqualTo(0.27);
    }

    @Test
    void int4PerChannelFileIsAtMost15PercentOfFp32() {
        assertThat(measure(QuantizationConfig.integers(4), 10)).isLessThanOrEqualTo(0.15);
    }

    @Test
    void otherFormatsRunInOrtAndShrinkTheFile() {
        assertThat(measure(QuantizationConfig.of(8, QuantizationConfig.PER_TENSOR, null), 25))
                .isLessThanOrEqualTo(0.27);
        assertThat(measure(new QuantizationConfig(8, "asymmetric", null, null, null), 30)).isLessThanOrEqualTo(0.28);
        assertThat(measure(QuantizationConfig.of(2, null, null), 5)).isLessThanOrEqualTo(0.15);
        assertThat(measure(QuantizationConfig.of(1, null, null), 0)).isLessThanOrEqualTo(0.15);
        assertThat(measure(QuantizationConfig.of(16, null, null), 40)).isLessThanOrEqualTo(0.51);
        assertThat(measure(new QuantizationConfig(16, null, null, "bf16", null), 30)).isLessThanOrEqualTo(0.51);
    }
}
