package dev.gancompress.compress.quantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the pass does to each weight tensor, and its refusals of bad input. */
class PostTrainingQuantizationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LAYERS = List.of("fc", "up1", "up2", "to_image");

    private static Model quantize(Model m, QuantizationConfig config) {
        return new PostTrainingQuantization(config).apply(m, null);
    }

    private static Weights weight(Model m, String node) {
        return m.node(node).layer().weights().get(0).weights();
    }

    private static int outputAxis(Model m, String node) {
        Node n = m.node(node);
        return n.layer().outputChannelAxis(n.layer().weights().get(0));
    }

    /** Channel of flat index i along {@code axis} of {@code shape} (0 when per tensor). */
    private static int channel(int[] shape, int axis, int i) {
        if (axis < 0) {
            return 0;
        }
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        return (i / inner) % shape[axis];
    }

    @Test
    void quantizeThenDequantizeIsWithinHalfAStepOfEveryWeight() {
        Model teacher = QuantizeFixtures.dcgan(1, 0);
        for (int bits : new int[] {8, 4}) {
            for (String scheme : List.of("symmetric", "asymmetric")) {
                for (String granularity : QuantizationConfig.GRANULARITIES) {
                    QuantizationConfig config = new QuantizationConfig(bits, scheme, granularity, null, null);
                    Model q = quantize(teacher, config);
                    for (String layer : LAYERS) {
                        Weights before = weight(teacher, layer);
                        Weights after = weight(q, layer);
                        WeightStorage.IntN s = (WeightStorage.IntN) after.storage();
                        int axis = config.perChannel() ? outputAxis(teacher, layer) : -1;
                        assertThat(s.axis()).isEqualTo(axis);
                        assertThat(s.bits()).isEqualTo(bits);
                        // symmetric: narrow range and zero points 0; asymmetric: the full range (its zero points may
                        // happen to be 0 for a balanced range)
                        assertThat(s.narrowRange()).isEqualTo(scheme.equals("symmetric"));
                        if (scheme.equals("symmetric")) {
                            assertThat(s.symmetric()).isTrue();
                        }
                        int[] codes = after.codes();
                        for (int i = 0; i < before.size(); i++) {
                            int c = channel(before.shape(), axis, i);
                            String what = config.describe() + " " + layer + "[" + i + "]";
                            // the step is the channel's scale; float rounding of the scale itself is allowed for
                            assertThat(Math.abs(after.data()[i] - before.data()[i])).as(what)
                                    .isLessThanOrEqualTo(0.5f * s.scale(c) * (1 + 1e-5f));
                            assertThat(codes[i]).as(what).isBetween(s.qmin(), s.qmax());
                            assertThat(after.data()[i]).as(what + " is its code's value")
                                    .isEqualTo((codes[i] - s.zeroPoint(c)) * s.scale(c));
                        }
                        if (scheme.equals("symmetric")) {
                            // the grid is no coarser than it must be: the largest |w| of a channel is +-qmax
                            assertThat(Arrays.stream(codes).map(Math::abs).max().orElseThrow()).as(layer)
                                    .isEqualTo(s.qmax());
                        }
                    }
                }
            }
        }
    }

    @Test
    void perChannelScalesFollowTheOutputChannelsOfEachLayerType() {
        Model q = quantize(QuantizeFixtures.dcgan(2, 0), QuantizationConfig.integers(8));
        for (String layer : LAYERS) {
            Weights w = weight(q, layer);
            boolean transposed = q.node(layer).layer() instanceof ConvTranspose2d;
            assertThat(w.storage().axis()).as(layer).isEqualTo(transposed ? 1 : 0);
            assertThat(w.storage().channels()).as(layer).isEqualTo(w.dim(transposed ? 1 : 0));
        }
        // biases and BatchNorm parameters stay fp32
        q.weightSlots().forEach((name, slot) -> {
            if (!LAYERS.contains(name.substring(0, name.indexOf('.'))) || !slot.role().equals("weight")) {
                assertThat(slot.weights().storage()).as(name).isEqualTo(WeightStorage.fp32());
            }
        });
    }

    @Test
    void ternaryAndBinaryTakeOnlyTheirLevelsPerChannel() {
        Model teacher = QuantizeFixtures.dcgan(3, 0);
        for (int bits : new int[] {2, 1}) {
            Model q = quantize(teacher, QuantizationConfig.of(bits, null, null));
            for (String layer : LAYERS) {
                Weights w = weight(q, layer);
                Weights original = weight(teacher, layer);
                int axis = outputAxis(q, layer);
                int channels = w.dim(axis);
                float[] scales = bits == 2 ? ((WeightStorage.IntN) w.storage()).scales()
                        : ((WeightStorage.Binary) w.storage()).scales();
                assertThat(scales).hasSize(channels);
                double[] meanAbs = new double[channels];
                int[] count = new int[channels];
                for (int i = 0; i < w.size(); i++) {
                    meanAbs[channel(w.shape(), axis, i)] += Math.abs(original.data()[i]);
                    count[channel(w.shape(), axis, i)]++;
                }
                for (int i = 0; i < w.size(); i++) {
                    int c = channel(w.shape(), axis, i);
                    float a = scales[c];
                    float v = w.data()[i];
                    float o = original.data()[i];
                    String what = (bits == 2 ? "ternary " : "binary ") + layer + "[" + i + "]";
                    if (bits == 1) {
                        assertThat(v).as(what).isEqualTo(o >= 0 ? a : -a);
                        assertThat((double) a).as(what + ": alpha = mean|w|")
                                .isCloseTo(meanAbs[c] / count[c], org.assertj.core.data.Offset.offset(1e-6));
                    } else {
                        assertThat(Set.of(-a, 0f, a)).as(what).contains(v);
                        // TWN: zero exactly where |w| is within 0.7 mean|w| of the channel
                        boolean small = Math.abs(o) <= 0.7 * meanAbs[c] / count[c];
                        assertThat(v == 0f).as(what + " zero iff below the threshold").isEqualTo(small);
                        if (v != 0f) {
                            assertThat(Math.signum(v)).as(what).isEqualTo(Math.signum(o));
                        }
                    }
                }
                if (bits == 2) {
                    assertThat(w.storage().kind()).isEqualTo("ternary");
                }
            }
        }
    }

    @Test
    void sixteenBitFloatsRoundToNearest() {
        Model teacher = QuantizeFixtures.dcgan(4, 0);
        Model fp16 = quantize(teacher, QuantizationConfig.of(16, null, null));
        Model bf16 = quantize(teacher, new QuantizationConfig(16, null, null, "bf16", null));
        for (String layer : LAYERS) {
            float[] o = weight(teacher, layer).data();
            float[] h = weight(fp16, layer).data();
            float[] b = weight(bf16, layer).data();
            assertThat(weight(fp16, layer).storage()).isInstanceOf(WeightStorage.Fp16.class);
            assertThat(weight(bf16, layer).storage()).isInstanceOf(WeightStorage.Bf16.class);
            for (int i = 0; i < o.length; i++) {
                // half an ulp of the format: 2^-11 (fp16, normal range) and 2^-8 (bf16) relative
                assertThat((double) Math.abs(h[i] - o[i])).isLessThanOrEqualTo(Math.abs(o[i]) * 0x1p-11 + 0x1p-25);
                assertThat((double) Math.abs(b[i] - o[i])).isLessThanOrEqualTo(Math.abs(o[i]) * 0x1p-8);
            }
        }
    }

    @Test
    void onlyTheNamedLayersAreQuantizedAndTheInputModelIsUntouched() {
        Model teacher = QuantizeFixtures.dcgan(5, 0);
        float[] before = weight(teacher, "up1").data().clone();
        Model q = quantize(teacher, QuantizationConfig.of(4, null, List.of("up1")));
        assertThat(weight(q, "up1").storage().kind()).isEqualTo("int4-narrow");
        for (String other : List.of("fc", "up2", "to_image")) {
            assertThat(weight(q, other).storage()).isEqualTo(WeightStorage.fp32());
            assertThat(weight(q, other).data()).isEqualTo(weight(teacher, other).data());
        }
        assertThat(weight(teacher, "up1").data()).isEqualTo(before);
        assertThat(weight(teacher, "up1").storage()).isEqualTo(WeightStorage.fp32());
        assertThat(q.metadata().get("quantization")).isEqualTo("int4 symmetric per-channel: up1");
    }

    @Test
    void prunedWeightsStayExactZerosAndDoNotPullTheScale() {
        Model teacher = QuantizeFixtures.dcgan(6, 0);
        Weights w = weight(teacher, "up1");
        float[] mask = new float[w.size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % 2;
        }
        // the largest weight is pruned: a scale that saw it would be coarser
        int largest = 0;
        for (int i = 0; i < w.size(); i++) {
            if (Math.abs(w.data()[i]) > Math.abs(w.data()[largest])) {
                largest = i;
            }
        }
        mask[largest] = 0;
        w.setMask(mask);
        for (int bits : new int[] {8, 4, 2, 1}) {
            Model q = quantize(teacher, QuantizationConfig.of(bits, null, null));
            Weights qw = weight(q, "up1");
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] == 0) {
                    assertThat(qw.data()[i]).as(bits + " bits, pruned [" + i + "]").isZero();
                    assertThat(qw.effectiveValues()[i]).isZero();
                }
            }
            assertThat(qw.mask()).isEqualTo(mask);
        }
        WeightStorage.IntN s = (WeightStorage.IntN) weight(quantize(teacher, QuantizationConfig.integers(8)), "up1")
                .storage();
        int c = channel(w.shape(), 1, largest);
        double keptMax = 0;
        for (int i = 0; i < w.size(); i++) {
            if (mask[i] != 0 && channel(w.shape(), 1, i) == c) {
                keptMax = Math.max(keptMax, Math.abs(w.data()[i]));
            }
        }
        assertThat((double) s.scale(c)).isCloseTo(keptMax / 127, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void badBitsAreRefusedListingTheAcceptedOnes() {
        for (int bits : new int[] {0, 3, 5, 32, -8}) {
            assertThatThrownBy(() -> QuantizationConfig.integers(bits))
                    .isInstanceOf(GanCompressException.class)
                    .hasMessageContaining("'bits' must be one of [1, 2, 4, 8, 16]")
                    .hasMessageContaining("got " + bits);
        }
        assertThatThrownBy(() -> CompressionRegistry.create(PostTrainingQuantization.NAME,
                JSON.readTree("{\"bits\": 3}")))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("'bits' must be one of [1, 2, 4, 8, 16]");
    }

    @Test
    void otherBadSettingsAreRefusedWithTheAcceptedValues() {
        assertThatThrownBy(() -> new QuantizationConfig(8, "ternary", null, null, null))
                .hasMessageContaining("'scheme' must be one of symmetric, asymmetric for 8 bits, got 'ternary'");
        assertThatThrownBy(() -> new QuantizationConfig(2, "symmetric", null, null, null))
                .hasMessageContaining("'scheme' must be one of ternary for 2 bits");
        assertThatThrownBy(() -> new QuantizationConfig(8, null, "per-row", null, null))
                .hasMessageContaining("'granularity' must be one of per-channel, per-tensor, got 'per-row'");
        assertThatThrownBy(() -> new QuantizationConfig(16, null, null, "fp8", null))
                .hasMessageContaining("'floatFormat' must be one of fp16, bf16, got 'fp8'");
        assertThatThrownBy(() -> new QuantizationConfig(8, null, null, "fp16", null))
                .hasMessageContaining("'floatFormat' must be absent unless bits is 16");
        assertThatThrownBy(() -> new QuantizationConfig(16, null, "per-channel", null, null))
                .hasMessageContaining("'granularity' must be per-tensor or absent for 16-bit floats");
        assertThatThrownBy(() -> QuantizationConfig.of(8, null, List.of("up1", "up1")))
                .hasMessageContaining("'layers' must be distinct, non-empty node names");
    }

    @Test
    void anUnknownOrUnquantizableLayerFailsBeforeAnyTensorChanges() {
        Model teacher = QuantizeFixtures.dcgan(7, 0);
        Model[] seen = new Model[1];
        assertThatThrownBy(() -> seen[0] = quantize(teacher, QuantizationConfig.of(8, null, List.of("up1", "up9"))))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("field 'layers': no node named 'up9' in model")
                .hasMessageContaining("quantisable: fc, up1, up2, to_image");
        assertThat(seen[0]).isNull();
        assertThatThrownBy(() -> quantize(teacher, QuantizationConfig.of(8, null, List.of("fc_bn"))))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("node 'fc_bn' has no weight matrix or kernel to quantise");
        // nothing of the teacher changed, the first (valid) layer included
        for (WeightSlot slot : teacher.weightSlots().values()) {
            assertThat(slot.weights().storage()).isEqualTo(WeightStorage.fp32());
        }
        assertThat(weight(teacher, "up1").data()).isEqualTo(weight(QuantizeFixtures.dcgan(7, 0), "up1").data());
    }

    @Test
    void configRoundTripsThroughJsonAndTheRegistry() throws Exception {
        QuantizationConfig config = new QuantizationConfig(4, "asymmetric", "per-tensor", null, List.of("up1"));
        String json = JSON.writeValueAsString(config);
        assertThat(JSON.readValue(json, QuantizationConfig.class)).isEqualTo(config);
        Compression c = CompressionRegistry.create(PostTrainingQuantization.NAME, JSON.readTree(json));
        assertThat(c.config()).isEqualTo(config);
        assertThat(c.name()).isEqualTo("ptq-weights");
        QuantizationConfig defaults = (QuantizationConfig) CompressionRegistry
                .create(PostTrainingQuantization.NAME, JSON.readTree("{}")).config();
        assertThat(defaults).isEqualTo(new QuantizationConfig(8, "symmetric", "per-channel", null, List.of()));
        QuantizationConfig half = JSON.readValue(JSON.writeValueAsString(QuantizationConfig.of(16, null, null)),
                QuantizationConfig.class);
        assertThat(half.floatFormat()).isEqualTo("fp16");
        assertThat(new TreeSet<>(CompressionRegistry.names())).contains("ptq-weights");
        assertThat(Map.of("k", c.config()).toString()).contains("bits=4");
    }
}
