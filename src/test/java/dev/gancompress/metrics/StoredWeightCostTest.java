package dev.gancompress.metrics;

import dev.gancompress.metrics.CostModel.ActivationPrecision;
import dev.gancompress.metrics.CostModel.Options;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The cost model counts each tensor as its IR storage description says; an explicit override still wins. */
class StoredWeightCostTest {
    /** fc 4 -> 27 (108 weights), reshape [3,3,3], conv 3 -> 5 k3 (135 weights), convT 5 -> 2 k2 s2 (40 weights). */
    private static Model model() {
        return new Model("stored", List.of(Input.latent("z", 4)), List.of(
                Node.of("fc", Linear.create(4, 27, true), "z"),
                Node.of("rs", new Reshape(Shape.of(3, 3, 3)), "fc"),
                Node.of("conv", Conv2d.create(3, 5, Kernel2d.square(3, 1, 1), true), "rs"),
                Node.of("ct", ConvTranspose2d.create(5, 2, Kernel2d.square(2, 2, 0), 0, true), "conv")),
                "ct", Map.of());
    }

    private static Weights weight(Model m, String node) {
        return m.node(node).layer().weights().get(0).weights();
    }

    private static float[] ones(int n) {
        float[] s = new float[n];
        Arrays.fill(s, 1f);
        return s;
    }

    private static Map<String, Long> bytes(CostReport r) {
        Map<String, Long> map = new LinkedHashMap<>();
        r.layers().forEach(l -> map.put(l.node(), l.weightBytes()));
        return map;
    }

    @Test
    void aCodebookCostsItsIndexBitsAndItsTable() {
        Model m = model();
        float[] centroids = new float[16];
        for (int i = 0; i < 16; i++) {
            centroids[i] = i - 8;
        }
        weight(m, "fc").setStorage(new WeightStorage.Codebook(centroids));
        // 108 weights x 4 index bits = 54 bytes, 16 fp32 centroids = 64 bytes, the fp32 bias 108
        assertThat(bytes(CostModel.of(m, Options.defaults()))).containsEntry("fc", 54L + 64 + 108);
        weight(m, "fc").setStorage(new WeightStorage.Codebook(new float[] {-1, 0, 1}));
        assertThat(bytes(CostModel.of(m, Options.defaults()))).containsEntry("fc", 27L + 12 + 108);
    }

    @Test
    void weightBytesFollowTheStorageOfEachTensor() {
        // fp32 biases: fc 27 x 4 = 108, conv 5 x 4 = 20, ct 2 x 4 = 8
        Model m = model();
        assertThat(bytes(CostModel.of(m, Options.defaults()))).containsEntry("fc", 432L + 108)
                .containsEntry("conv", 540L + 20).containsEntry("ct", 160L + 8);

        weight(m, "fc").setStorage(WeightStorage.IntN.symmetric(8, 0, ones(27)));
        weight(m, "conv").setStorage(WeightStorage.IntN.symmetric(4, -1, ones(1)));
        weight(m, "ct").setStorage(WeightStorage.IntN.ternary(1, ones(2)));
        Map<String, Long> b = bytes(CostModel.of(m, Options.defaults()));
        // int8 per output channel: 108 bytes + 27 scales; int4 per tensor: 68 bytes + 1 scale;
        // ternary per output channel (axis 1 of the [in, out, kh, kw] kernel): 40 x 2 bits = 10 bytes + 2 scales
        assertThat(b).containsEntry("fc", 108L + 27 * 4 + 108).containsEntry("conv", 68L + 4 + 20)
                .containsEntry("ct", 10L + 8 + 8);

        weight(m, "fc").setStorage(new WeightStorage.IntN(8, false, 0, ones(27), new int[27]));
        int[] zps = new int[5];
        zps[2] = 1;
        weight(m, "conv").setStorage(new WeightStorage.IntN(3, false, 0, ones(5), zps));
        weight(m, "ct").setStorage(new WeightStorage.Binary(1, ones(2)));
        b = bytes(CostModel.of(m, Options.defaults()));
        // 3 bits x 135 = 405 bits = 51 bytes, 5 x (scale + 1-byte zero point); binary 40 bits = 5 bytes + 2 scales
        assertThat(b).containsEntry("fc", 108L + 27 * 4 + 108).containsEntry("conv", 51L + 25 + 20)
                .containsEntry("ct", 5L + 8 + 8);

        weight(m, "fc").setStorage(new WeightStorage.Fp16());
        weight(m, "conv").setStorage(new WeightStorage.Bf16());
        b = bytes(CostModel.of(m, Options.defaults()));
        assertThat(b).containsEntry("fc", 216L + 108).containsEntry("conv", 270L + 20);
        assertThat(CostModel.of(m, Options.defaults()).totals().weightBytesFp32()).isEqualTo(432 + 108 + 540 + 20
                + 160 + 8);
    }

    @Test
    void anOverrideStillWinsAndIntegerWeightsMakeInt8Arithmetic() {
        Model m = model();
        weight(m, "fc").setStorage(WeightStorage.IntN.symmetric(8, 0, ones(27)));
        weight(m, "conv").setStorage(new WeightStorage.Fp16());
        Options int8 = Options.defaults().withActivationPrecision(ActivationPrecision.INT8);
        CostReport r = CostModel.of(m, int8);
        assertThat(r.layers().get(0).int8Arithmetic()).as("int8 weights from the IR").isTrue();
        assertThat(r.layers().get(2).int8Arithmetic()).as("fp16 weights widen to fp32").isFalse();
        CostReport overridden = CostModel.of(m, int8.withStorage(Map.of("fc.weight", StorageFormat.fp32())));
        assertThat(overridden.layers().get(0).int8Arithmetic()).isFalse();
        assertThat(overridden.layers().get(0).weightBytes()).isEqualTo(432 + 108);
    }
}
