package dev.gancompress.runtime;

import dev.gancompress.compress.quantize.*;
import dev.gancompress.metrics.ImageFidelity;
import dev.gancompress.model.*;
import dev.gancompress.nn.*;
import dev.gancompress.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;
import java.nio.file.Path;
import java.util.*;

class ScratchPsnrTest {
    static double psnr(Model a, Model b) {
        var feeds = Int8Throughput.latents(a, 256, new SplittableRandom(99));
        float[] x = new Network(a).forward(feeds, false).data();
        float[] y = new Network(b).forward(feeds, false).data();
        return ImageFidelity.psnr(x, y, 256, 1, 28, 28);
    }
    @Test
    void psnr() {
        Model fp32 = OnnxImporter.read(Path.of("models/dcgan-fashion.onnx"));
        for (var cfg : List.of(ActivationQuantizationConfig.percentile(256), ActivationQuantizationConfig.minMax(256),
                new ActivationQuantizationConfig(null, 256, "percentile", 99.9, null), new ActivationQuantizationConfig(null, 256, "percentile", 99.999, null))) {
            Model int8 = ActivationCalibration.int8(fp32, cfg, 1);
            System.out.printf("PSNR %s all %.2f%n", cfg.describe(), psnr(fp32, int8));
            if (cfg.calibration().equals("minmax")) continue;
            for (var e : int8.quantizedActivations().entrySet()) {
                Model one = fp32.withQuantizedActivations(Map.of(e.getKey(), e.getValue()));
                System.out.printf("PSNR   only %-10s %.2f  %s%n", e.getKey(), psnr(fp32, one), e.getValue());
            }
            Model w = new PostTrainingQuantization(QuantizationConfig.integers(8)).apply(fp32, null);
            System.out.printf("PSNR   weights only %.2f%n", psnr(fp32, w));
        }
    }
}
