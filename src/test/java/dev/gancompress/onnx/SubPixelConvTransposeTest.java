package dev.gancompress.onnx;

import dev.gancompress.TestModels;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sub-pixel Conv + DepthToSpace (+ Slice) that the exporter writes for a ConvTranspose computes the same output:
 * ONNX Runtime on the rewritten graph equals the engine's ConvTranspose within 1e-5 (fp32), for strides 1 to 3,
 * kernels 2 to 5, with and without padding and output padding, on a non-square input.
 */
class SubPixelConvTransposeTest {
    private static final double TOLERANCE = 1e-5;

    private static Model single(int stride, int kernel, int pad, int outputPad, long seed) {
        ConvTranspose2d layer = new ConvTranspose2d(3, 2, Kernel2d.square(kernel, stride, pad), outputPad, outputPad,
                Weights.zeros(3, 2, kernel, kernel), Weights.zeros(2));
        Model m = new Model("convt", List.of(Input.image("x", 3, 5, 4)), List.of(Node.of("up", layer, "x")), "up",
                Map.of());
        return TestModels.randomize(m, seed);
    }

    private static Tensor input(long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[2 * 3 * 5 * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return new Tensor(new int[] {2, 3, 5, 4}, x);
    }

    @Test
    void subPixelFormEqualsConvTransposeForEveryStrideKernelAndPadding() {
        List<String> checked = new ArrayList<>();
        for (int stride = 1; stride <= 3; stride++) {
            for (int kernel = 2; kernel <= 5; kernel++) {
                for (int pad : new int[] {0, 1, kernel - 1}) {
                    for (int outputPad = 0; outputPad < stride; outputPad += Math.max(1, stride - 1)) {
                        if ((4 - 1) * stride - 2 * pad + kernel < 1) {
                            continue; // no output on the 4-wide input
                        }
                        Model m = single(stride, kernel, pad, outputPad, 31L * stride + 7L * kernel + pad);
                        Map<String, Tensor> feeds = Map.of("x", input(kernel * 10L + stride));
                        Tensor engine = new Network(m).forward(feeds, false);
                        OnnxModelProto proto = OnnxExporter.toProto(m, Map.of(),
                                OnnxExporter.ConvTransposeForm.SUB_PIXEL);
                        assertThat(proto.graph().nodes()).extracting(OnnxNode::opType)
                                .doesNotContain("ConvTranspose").contains("Conv");
                        Tensor ort;
                        try (OnnxRuntimeBackend b = new OnnxRuntimeBackend(ProtoWriter.encode(proto), 1)) {
                            ort = b.run(feeds);
                        }
                        String where = "stride " + stride + " kernel " + kernel + " pad " + pad + " output pad "
                                + outputPad;
                        assertThat(ort.shape()).as(where).containsExactly(engine.shape());
                        assertThat(maxAbsDifference(engine.data(), ort.data())).as(where).isLessThan(TOLERANCE);
                        checked.add(where);
                    }
                }
            }
        }
        assertThat(checked).hasSizeGreaterThanOrEqualTo(3 * 4 * 2);
    }

    /**
     * Stored weights move with the rewrite: per-output-channel scales repeat per sub-pixel channel, the taps the
     * kernel does not reach hold an exact zero even in binary storage (which has no zero code but for masked
     * entries), a pruning mask moves with its values; the file reads back to the same codes, storage and mask.
     */
    @Test
    void storedWeightsAndMasksSurviveTheRewriteAndTheRoundTrip() {
        for (boolean binary : new boolean[] {false, true}) {
            Model m = single(2, 3, 1, 1, 17);
            Weights w = ((ConvTranspose2d) m.node("up").layer()).weight();
            float[] mask = new float[w.size()];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = i % 5 == 0 ? 0f : 1f;
            }
            w.setMask(mask);
            float[] scales = {0.11f, 0.07f};
            w.setStorage(binary ? new WeightStorage.Binary(1, scales) : WeightStorage.IntN.symmetric(8, 1, scales));
            Map<String, Tensor> feeds = Map.of("x", input(5));
            Tensor engine = new Network(m).forward(feeds, false);
            byte[] bytes = OnnxExporter.toBytes(m, Map.of(), OnnxExporter.ConvTransposeForm.SUB_PIXEL);
            try (OnnxRuntimeBackend b = new OnnxRuntimeBackend(bytes, 1)) {
                assertThat(maxAbsDifference(engine.data(), b.run(feeds).data())).as("binary " + binary)
                        .isLessThan(TOLERANCE);
            }
            Weights back = ((ConvTranspose2d) OnnxImporter.fromBytes(bytes, "t").node("up").layer()).weight();
            assertThat(back.storage()).isEqualTo(w.storage());
            assertThat(back.codes()).containsExactly(w.codes());
            if (binary) {
                assertThat(back.mask()).containsExactly(mask);
            }
        }
    }

    @Test
    void dcganUpsamplingNeedsNoMoreMacsThanTheConvTranspose() {
        // k 4, s 2, p 1: 2x2 taps on 4 sub-pixel channel groups = 16 taps per input pixel, as ConvTranspose's 4x4
        Model m = single(2, 4, 1, 0, 3);
        ConvTranspose2d layer = (ConvTranspose2d) m.node("up").layer();
        var conv = SubPixelConvTranspose.conv(layer, m.shape("x"));
        assertThat(conv.kernel().kh() * conv.kernel().kw() * conv.out()).isEqualTo(16 * layer.out());
    }

    static double maxAbsDifference(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
        }
        return worst;
    }
}
