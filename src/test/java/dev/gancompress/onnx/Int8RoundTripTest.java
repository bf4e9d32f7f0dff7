package dev.gancompress.onnx;

import dev.gancompress.TestModels;
import dev.gancompress.compress.quantize.ActivationCalibration;
import dev.gancompress.compress.quantize.ActivationQuantizationConfig;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.model.WeightSlot;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An int8 file (int8 weights, quantised activations, sub-pixel ConvTranspose, int32 biases) reads back to the model
 * it was written from: the same ConvTranspose layers, weight codes and storage, activation grids; written again, the
 * bytes are identical.
 */
class Int8RoundTripTest {
    @Test
    void int8FileReadsBackToTheSameModelAndWritesTheSameBytes() {
        Model g = TestModels.randomize(Dcgan.generator(new DcganSpec(16, 1, 32, 8, 8, 3, 4)), 11);
        // the last ConvTranspose of the 32x32 generator has a bias: it becomes an int32 bias of a QLinearConv
        Model int8 = ActivationCalibration.int8(g, ActivationQuantizationConfig.minMax(64), 2);
        byte[] bytes = OnnxExporter.toBytes(int8, Map.of("command", "test"));
        assertThat(OnnxImporter.parse(bytes, "int8").graph().nodes()).extracting(OnnxNode::opType)
                .doesNotContain("ConvTranspose").contains("DepthToSpace", "QuantizeLinear");
        Model back = OnnxImporter.fromBytes(bytes, "int8");
        assertThat(back.quantizedActivations()).isEqualTo(int8.quantizedActivations());
        assertThat(back.node("to_image").layer()).isInstanceOf(ConvTranspose2d.class);
        Map<String, WeightSlot> original = int8.weightSlots();
        back.weightSlots().forEach((name, slot) -> {
            WeightSlot o = original.get(name);
            assertThat(slot.weights().storage()).as(name).isEqualTo(o.weights().storage());
            if (name.endsWith(".weight")) {
                assertThat(slot.weights().codes()).as(name).containsExactly(o.weights().codes());
            }
        });
        assertThat(OnnxExporter.toBytes(back, Map.of())).isEqualTo(bytes);
    }
}
