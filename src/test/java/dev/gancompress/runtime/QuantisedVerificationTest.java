package dev.gancompress.runtime;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.quantize.ActivationCalibration;
import dev.gancompress.compress.quantize.ActivationQuantizationConfig;
import dev.gancompress.compress.quantize.BatchNormFolding;
import dev.gancompress.model.ActivationQuantization;
import dev.gancompress.model.Model;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ORT check of a model with int8 activations tolerates sporadic one-code rounding flips (the engine rounds float
 * sums, ORT exact integer sums) and nothing systematic.
 */
class QuantisedVerificationTest {
    private static final double STEP = 0.02;

    @Test
    void sporadicFlipsPassAndEachBoundRefuses() {
        assertThat(OnnxVerification.quantisedDisagreement(0.002, 0.02 * STEP, 3 * STEP, STEP)).isNull();
        assertThat(OnnxVerification.quantisedDisagreement(0.0, 0.0, 0.0, STEP)).isNull();
        assertThat(OnnxVerification.quantisedDisagreement(0.006, 0.02 * STEP, 3 * STEP, STEP))
                .contains("0.60% of the outputs");
        assertThat(OnnxVerification.quantisedDisagreement(0.002, 0.06 * STEP, 3 * STEP, STEP))
                .contains("mean |difference| is 0.060 output steps");
        assertThat(OnnxVerification.quantisedDisagreement(0.0001, 0.01 * STEP, 9 * STEP, STEP))
                .contains("over 8 output steps");
        assertThat(OnnxVerification.quantisedDisagreement(0.0, 0.0, Double.POSITIVE_INFINITY, STEP)).isNotNull();
    }

    /** The case a one-step bound refused: the bundled teacher with BatchNorm folded, then int8 throughout. */
    @Test
    void foldedInt8TeacherPassesWithItsFlipsCounted() {
        Model int8 = foldedInt8Teacher();
        OnnxVerification.Result r = OnnxVerification.check(int8, OnnxExporter.toBytes(int8, Map.of()), "int8.onnx");
        assertThat(r.quantised()).isTrue();
        assertThat(r.shareBeyondStep()).isLessThanOrEqualTo(OnnxVerification.MAX_SHARE_BEYOND_ONE_STEP);
        assertThat(r.meanDifference()).isLessThan(OnnxVerification.MAX_MEAN_STEPS / 2 * r.tolerance()).isPositive();
        assertThat(r.summary()).contains("output step");
    }

    /**
     * A grid the file does not share with the engine is systematic: any one activation's scale 10% off (as when
     * calibration and export disagree) is refused, though for the grids late in the graph no output moves by more
     * than a few steps: the share and mean bounds catch those.
     */
    @Test
    void anyActivationScaleTenPercentOffIsRefused() {
        Model int8 = foldedInt8Teacher();
        byte[] bytes = OnnxExporter.toBytes(int8, Map.of());
        assertThat(int8.quantizedActivations()).hasSizeGreaterThan(5);
        for (String value : int8.quantizedActivations().keySet()) {
            Map<String, ActivationQuantization> shifted = new LinkedHashMap<>(int8.quantizedActivations());
            ActivationQuantization g = shifted.get(value);
            shifted.put(value, new ActivationQuantization(g.scale() * 1.1f, g.zeroPoint()));
            Model engine = int8.withQuantizedActivations(shifted);
            assertThatThrownBy(() -> OnnxVerification.check(engine, bytes, "int8.onnx")).as(value)
                    .isInstanceOf(GanCompressException.class)
                    .hasMessageContaining("not writing int8.onnx")
                    .hasMessageContaining("beyond int8 rounding");
        }
    }

    private static Model foldedInt8Teacher() {
        Model teacher = OnnxImporter.read(Path.of("models", "dcgan-fashion.onnx"));
        Model folded = new BatchNormFolding(new BatchNormFolding.Config()).apply(teacher, null);
        return ActivationCalibration.int8(folded, ActivationQuantizationConfig.percentile(64), 1);
    }
}
