package dev.gancompress.nn;

import dev.gancompress.TestImages;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine applies a weight's storage in one place: forward computes with decode(encode(master)), backward gives
 * the float layer's gradient at those values and applies it to the master values unchanged (straight-through).
 */
class StraightThroughTest {
    /** A small conditional DCGAN generator (Embedding, Linear, ConvTranspose2d, Conv2d, BatchNorm), seeded. */
    private static Model generator(long seed) {
        Model m = Dcgan.generator(new DcganSpec(16, 1, 28, 8, 8, 4, 6));
        Random rnd = new Random(seed);
        for (Node n : m.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                float[] d = slot.weights().data();
                boolean norm = n.layer() instanceof BatchNorm2d;
                for (int i = 0; i < d.length; i++) {
                    d[i] = slot.role().equals("running_var") ? 0.5f + rnd.nextFloat()
                            : norm && slot.role().equals("weight") ? 1 + 0.2f * (float) rnd.nextGaussian()
                            : 0.3f * (float) rnd.nextGaussian();
                }
            }
        }
        return m;
    }

    /**
     * Every weight matrix and kernel gets a storage, master values left off its grid: symmetric int4 per output
     * channel, ternary, binary or fp16 in turn, and the BatchNorm scales bf16.
     */
    private static Model withStorage(Model m) {
        int k = 0;
        for (Node n : m.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                Weights w = slot.weights();
                if (slot.role().equals("weight") && w.rank() >= 2) {
                    int axis = n.layer().outputChannelAxis(slot);
                    float[] scales = new float[w.dim(axis)];
                    java.util.Arrays.fill(scales, 0.07f + 0.01f * k);
                    w.setStorage(switch (k++ % 4) {
                        case 0 -> WeightStorage.IntN.symmetric(4, axis, scales);
                        case 1 -> WeightStorage.IntN.ternary(axis, scales);
                        case 2 -> new WeightStorage.Binary(axis, scales);
                        default -> new WeightStorage.Fp16();
                    });
                } else if (n.layer() instanceof BatchNorm2d && slot.role().equals("weight")) {
                    w.setStorage(new WeightStorage.Bf16());
                }
            }
        }
        return m;
    }

    /** The same model in fp32 holding the values the quantised one computes with. */
    private static Model dequantized(Model quantized) {
        Model copy = quantized.copy();
        for (WeightSlot slot : copy.weightSlots().values()) {
            float[] effective = slot.weights().effectiveValues();
            System.arraycopy(effective, 0, slot.weights().data(), 0, effective.length);
            slot.weights().setStorage(WeightStorage.fp32());
        }
        return copy;
    }

    private static Tensor ones(Tensor like) {
        float[] d = new float[like.data().length];
        Random rnd = new Random(5);
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) rnd.nextGaussian();
        }
        return new Tensor(like.shape(), d);
    }

    @Test
    void forwardUsesTheStoredValuesAndBackwardIsTheFloatGradientThere() {
        Model quantized = withStorage(generator(1));
        Model master = quantized.copy();
        master.weightSlots().values().forEach(s -> s.weights().setStorage(WeightStorage.fp32()));
        Model reference = dequantized(quantized);
        float[] masterBefore = quantized.node("up1").layer().weights().get(0).weights().data().clone();
        Map<String, Tensor> inputs = TestImages.randomInputs(quantized, 4, 9);

        for (boolean training : new boolean[] {true, false}) {
            Network q = new Network(quantized);
            Network r = new Network(reference);
            Tensor outQ = q.forward(inputs, training);
            Tensor outR = r.forward(inputs, training);
            assertThat(outQ.maxAbsDifference(outR)).as("forward = float forward at the stored values").isZero();
            assertThat(new Network(master).forward(inputs, training).maxAbsDifference(outQ))
                    .as("the storage changes what is computed").isGreaterThan(1e-2);

            Tensor grad = ones(outQ);
            q.zeroGradients();
            r.zeroGradients();
            q.backward(grad, true);
            r.backward(grad, true);
            for (int p = 0; p < q.parameters().size(); p++) {
                Parameter pq = q.parameters().get(p);
                Parameter pr = r.parameters().get(p);
                assertThat(pq.name()).isEqualTo(pr.name());
                assertThat(pq.grad()).as(pq.name() + " gradient passes straight through").isEqualTo(pr.grad());
                assertThat(pq.weights()).as(pq.name() + ": the optimiser sees the master tensor")
                        .isSameAs(quantized.weightSlots().get(pq.name()).weights());
            }
            assertThat(q.inputGradient("z").maxAbsDifference(r.inputGradient("z")))
                    .as("the input gradient is taken through the stored values too").isZero();
            double norm = 0;
            for (float g : q.parameters().get(1).grad()) {
                norm += g * g;
            }
            assertThat(norm).as("a straight-through gradient is not the zero derivative of rounding")
                    .isGreaterThan(0);
        }
        assertThat(quantized.node("up1").layer().weights().get(0).weights().data())
                .as("forward never overwrites the master values").isEqualTo(masterBefore);
    }

    @Test
    void anOptimiserStepMovesTheMasterValuesAndTheNextForwardRequantizes() {
        Model quantized = withStorage(generator(2));
        Map<String, Tensor> inputs = TestImages.randomInputs(quantized, 4, 10);
        Network q = new Network(quantized);
        Adam adam = new Adam(q.parameters(), Adam.Settings.gan(1e-2));
        Tensor out = q.forward(inputs, true);
        q.zeroGradients();
        q.backward(ones(out), true);
        Weights up1 = quantized.node("up1").layer().weights().get(0).weights();
        float[] before = up1.data().clone();
        adam.update();
        assertThat(up1.data()).as("Adam updates the float master values").isNotEqualTo(before);
        // the next forward computes with the new master values' stored form, as a fresh fp32 model of them does
        Tensor next = q.forward(inputs, false);
        Tensor expected = new Network(dequantized(quantized)).forward(inputs, false);
        assertThat(next.maxAbsDifference(expected)).isZero();
    }
}
