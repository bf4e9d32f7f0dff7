package dev.gancompress.compress.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gancompress.TestModels;
import dev.gancompress.model.Activation;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Per-channel int8 on a depthwise and a grouped convolution: one scale per output filter (dim 0 of
 * [out, in / groups, kh, kw]), each set by that filter's own range, and ONNX Runtime runs the QDQ export to the
 * engine's output.
 */
class DepthwiseQuantizationTest {
    @Test
    void perChannelScalesFollowEachFilterOfAGroupedConv() {
        Model m = TestModels.randomize(new Model("dw", List.of(Input.image("x", 4, 6, 6)), List.of(
                Node.of("dw", Conv2d.create(4, 4, Kernel2d.square(3, 1, 1), 4, true), "x"),
                Node.of("act", Activation.relu(), "dw"),
                Node.of("g2", Conv2d.create(4, 6, Kernel2d.square(3, 1, 2).dilated(2, 2), 2, true), "act")), "g2",
                Map.of()), 6);
        // filter 2 of the depthwise conv is 100x smaller: per-tensor scales would flatten it to a few codes
        float[] w = ((Conv2d) m.node("dw").layer()).weight().data();
        for (int i = 18; i < 27; i++) {
            w[i] *= 0.01f;
        }
        Model q = new PostTrainingQuantization(QuantizationConfig.integers(8)).apply(m, null);
        for (String layer : List.of("dw", "g2")) {
            Conv2d before = (Conv2d) m.node(layer).layer();
            Conv2d after = (Conv2d) q.node(layer).layer();
            assertThat(after.groups()).isEqualTo(before.groups());
            WeightStorage.IntN s = (WeightStorage.IntN) after.weight().storage();
            assertThat(s.axis()).isZero();
            assertThat(s.scales()).hasSize(before.out());
            int per = before.weight().size() / before.out();
            for (int o = 0; o < before.out(); o++) {
                float max = 0;
                for (int i = o * per; i < (o + 1) * per; i++) {
                    max = Math.max(max, Math.abs(before.weight().data()[i]));
                }
                assertThat(s.scales()[o]).as(layer + " filter " + o).isCloseTo(max / 127f, org.assertj.core.data
                        .Percentage.withPercentage(1));
            }
        }
        Map<String, Tensor> x = dev.gancompress.TestImages.randomInputs(q, 2, 5);
        Tensor engine = new Network(q).forward(x, false).copy();
        assertThat(engine.maxAbsDifference(new Network(m).forward(x, false))).isLessThan(0.05);
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(OnnxExporter.toBytes(q, Map.of()), 1)) {
            assertThat(ort.run(x).maxAbsDifference(engine)).isLessThan(1e-4);
        }
    }
}
