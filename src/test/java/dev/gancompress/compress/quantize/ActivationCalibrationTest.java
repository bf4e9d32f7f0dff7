package dev.gancompress.compress.quantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.TestModels;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.model.ActivationQuantization;
import dev.gancompress.model.Input;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ptq-activations: validated settings, calibrated grids, and the engine's fake quantisation with STE. */
class ActivationCalibrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void badSettingsFailBeforeAnyWorkWithTheAcceptedValues() throws Exception {
        assertThatThrownBy(() -> ActivationQuantizationConfig.minMax(0)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("'calibrationSamples' must be an integer from 1 to 100000").hasMessageContaining("got 0");
        for (int bits : new int[] {0, 3, 32}) {
            assertThatThrownBy(() -> new ActivationQuantizationConfig(bits, null, null, null, null))
                    .isInstanceOf(GanCompressException.class)
                    .hasMessageContaining("'bits' must be one of [1, 2, 4, 8, 16]");
        }
        assertThatThrownBy(() -> new ActivationQuantizationConfig(4, null, null, null, null))
                .hasMessageContaining("'bits' must be 8 for activations");
        assertThatThrownBy(() -> CompressionRegistry.create(ActivationCalibration.NAME,
                JSON.readTree("{\"calibration\": \"entropy\"}")))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("one of percentile, minmax");
        assertThatThrownBy(() -> CompressionRegistry.create(ActivationCalibration.NAME,
                JSON.readTree("{\"calibrationSamples\": 0}")))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("calibrationSamples");
        assertThatThrownBy(() -> new ActivationQuantizationConfig(null, 10, "minmax", 99.0, null))
                .hasMessageContaining("'percentile' must be absent for minmax");

        Model g = QuantizeFixtures.dcgan(1, 0);
        Compression unknown = CompressionRegistry.create(ActivationCalibration.NAME,
                JSON.readTree("{\"layers\": [\"up1\", \"nope\"]}"));
        assertThatThrownBy(() -> unknown.apply(g, null)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("no node named 'nope'").hasMessageContaining("quantisable: fc, up1, up2, to_image");
        Compression notALayer = new ActivationCalibration(new ActivationQuantizationConfig(null, null, null, null,
                List.of("up1_bn")));
        assertThatThrownBy(() -> notALayer.apply(g, null))
                .hasMessageContaining("node 'up1_bn' is not a Linear, Conv2d or ConvTranspose2d");
        assertThat(g.quantizedActivations()).isEmpty();
    }

    @Test
    void calibrationQuantisesTheInputAndOutputOfEachLayerButNotTheModelOutput() {
        Model g = QuantizeFixtures.dcgan(2, 0);
        Model minMax = new ActivationCalibration(ActivationQuantizationConfig.minMax(96)).apply(g, null);
        Model pct = new ActivationCalibration(ActivationQuantizationConfig.percentile(96)).apply(g, null);
        assertThat(minMax.quantizedActivations().keySet())
                .containsExactly("z", "fc", "fc_act", "up1", "up1_act", "up2", "up2_act", "to_image");
        assertThat(g.quantizedActivations()).as("the input model is untouched").isEmpty();
        // ReLU outputs start at 0, so their zero point is code 0 and no code is wasted on negatives
        assertThat(minMax.quantizedActivations().get("up1_act").zeroPoint()).isZero();
        for (String v : minMax.quantizedActivations().keySet()) {
            ActivationQuantization full = minMax.quantizedActivations().get(v);
            ActivationQuantization clipped = pct.quantizedActivations().get(v);
            assertThat(clipped.scale()).as(v).isLessThanOrEqualTo(full.scale() * 1.0001f);
        }
        // the logits before tanh are clipped where tanh saturates (|x| = 4), whatever their observed range
        Model loud = g.copy();
        float[] w = loud.node("to_image").layer().weights().get(0).weights().data();
        for (int i = 0; i < w.length; i++) {
            w[i] *= 50;
        }
        ActivationQuantization logits = new ActivationCalibration(ActivationQuantizationConfig.minMax(96))
                .apply(loud, null).quantizedActivations().get("to_image");
        assertThat(logits.max() - logits.min()).as("a range wider than tanh's span was clipped").isGreaterThan(7f);
        assertThat(logits.min()).isGreaterThanOrEqualTo(-4f - logits.scale());
        assertThat(logits.max()).isLessThanOrEqualTo(4f + logits.scale());
        assertThat(ActivationCalibration.saturationLimit(g, "to_image")).isEqualTo(4f);
        assertThat(ActivationCalibration.saturationLimit(g, "up1")).isInfinite();
        // same seed, same grids
        assertThat(new ActivationCalibration(ActivationQuantizationConfig.minMax(96)).apply(g, null)
                .quantizedActivations()).isEqualTo(minMax.quantizedActivations());
    }

    @Test
    void engineComputesOnTheGridAndPassesGradientsStraightThrough() {
        Model plain = TestModels.randomize(new Model("mlp", List.of(Input.latent("z", 6)), List.of(
                Node.of("fc1", Linear.create(6, 5, true), "z"),
                Node.of("fc2", Linear.create(5, 3, true), "fc1")), "fc2", Map.of()), 4);
        ActivationQuantization gz = new ActivationQuantization(0.05f, 128);
        ActivationQuantization g1 = new ActivationQuantization(0.03f, 100);
        Model quantized = plain.withQuantizedActivations(Map.of("z", gz, "fc1", g1));
        Random rnd = new Random(9);
        float[] z = new float[4 * 6];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) rnd.nextGaussian();
        }
        Map<String, Tensor> in = Map.of("z", new Tensor(new int[] {4, 6}, z));
        Network q = new Network(quantized);
        Network f = new Network(plain);
        q.forward(in, true);
        f.forward(in, true);
        for (float v : q.value("fc1").data()) {
            float code = (v / g1.scale()) + g1.zeroPoint();
            assertThat(Math.abs(code - Math.rint(code))).isLessThan(1e-3f);
        }
        assertThat(q.value("fc1").data()).isNotEqualTo(f.value("fc1").data());
        float[] grad = new float[4 * 3];
        java.util.Arrays.fill(grad, 1f);
        q.backward(new Tensor(new int[] {4, 3}, grad), true);
        f.backward(new Tensor(new int[] {4, 3}, grad.clone()), true);
        // linear layers' input gradients do not depend on the values, so STE leaves them identical
        assertThat(q.inputGradient("z").data()).containsExactly(f.inputGradient("z").data());
    }
}
