package dev.gancompress.model;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The encode/decode pairs of every storage format, and how a weight slot carries its description. */
class WeightStorageTest {
    @Test
    void integerCodesRoundToNearestEvenAndClampToTheRange() {
        WeightStorage.IntN int4 = WeightStorage.IntN.symmetric(4, -1, new float[] {0.1f});
        assertThat(int4.qmin()).isEqualTo(-7);
        assertThat(int4.qmax()).isEqualTo(7);
        assertThat(int4.encode(0.26f, 0)).isEqualTo(3);
        assertThat(int4.encode(-0.34f, 0)).isEqualTo(-3);
        assertThat(int4.encode(0.25f, 0)).as("2.5 rounds to even").isEqualTo(2);
        assertThat(int4.encode(5f, 0)).as("clamped").isEqualTo(7);
        assertThat(int4.encode(-5f, 0)).as("clamped, narrow range").isEqualTo(-7);
        assertThat(int4.decode(7, 0)).isEqualTo(0.7f);
        WeightStorage.IntN full = new WeightStorage.IntN(8, false, -1, new float[] {0.5f}, new int[] {10});
        assertThat(full.encode(-1000f, 0)).isEqualTo(-128);
        assertThat(full.encode(1000f, 0)).isEqualTo(127);
        assertThat(full.encode(0f, 0)).as("zero is the zero point").isEqualTo(10);
        assertThat(full.decode(13, 0)).isEqualTo(1.5f);
        WeightStorage.IntN ternary = WeightStorage.IntN.ternary(0, new float[] {0.2f, 3f});
        assertThat(ternary.kind()).isEqualTo("ternary");
        assertThat(ternary.encode(0.05f, 0)).isZero();
        assertThat(ternary.encode(0.15f, 0)).isEqualTo(1);
        assertThat(ternary.encode(-9f, 1)).isEqualTo(-1);
        WeightStorage.Binary binary = new WeightStorage.Binary(-1, new float[] {0.3f});
        assertThat(binary.decode(binary.encode(0f, 0), 0)).isEqualTo(0.3f);
        assertThat(binary.decode(binary.encode(-1e-9f, 0), 0)).isEqualTo(-0.3f);
    }

    @Test
    void decodingIsAFixedPointOfEncoding() {
        Random rnd = new Random(3);
        for (int bits = 2; bits <= 8; bits++) {
            for (int trial = 0; trial < 20; trial++) {
                float scale = (float) Math.exp(rnd.nextGaussian() * 4);
                int zp = trial % 2 == 0 ? 0 : rnd.nextInt(1 << (bits - 1)) - (1 << (bits - 2));
                WeightStorage.IntN s = new WeightStorage.IntN(bits, false, -1, new float[] {scale}, new int[] {zp});
                for (int q = s.qmin(); q <= s.qmax(); q++) {
                    assertThat(s.encode(s.decode(q, 0), 0)).as(bits + " bits, scale " + scale + ", code " + q)
                            .isEqualTo(q);
                }
            }
        }
    }

    @Test
    void halfPrecisionIsExactOnEveryCodeAndRoundsToNearestEven() {
        for (int h = 0; h < 0x10000; h++) {
            float f = WeightStorage.Fp16.fromHalf(h);
            if (!Float.isNaN(f)) {
                assertThat(WeightStorage.Fp16.toHalf(f)).as("fp16 code %04x", h).isEqualTo(h);
            }
            float b = new WeightStorage.Bf16().decode(h, 0);
            if (!Float.isNaN(b)) {
                assertThat(WeightStorage.Bf16.toBf16(b)).as("bf16 code %04x", h).isEqualTo(h);
            }
        }
        assertThat(WeightStorage.Fp16.fromHalf(0x3C00)).isEqualTo(1f);
        assertThat(WeightStorage.Fp16.fromHalf(0x0001)).isEqualTo(0x1p-24f);
        assertThat(WeightStorage.Fp16.toHalf(65520f)).as("overflow to infinity").isEqualTo(0x7C00);
        assertThat(WeightStorage.Fp16.toHalf(1f + 0x1p-11f)).as("tie to even").isEqualTo(0x3C00);
        assertThat(WeightStorage.Fp16.toHalf(1f + 0x1p-11f + 0x1p-20f)).isEqualTo(0x3C01);
        assertThat(WeightStorage.Fp16.toHalf(0x1p-25f)).as("half the smallest subnormal: tie to 0").isZero();
        assertThat(WeightStorage.Fp16.toHalf(0x1.8p-25f)).isEqualTo(1);
        assertThat(WeightStorage.Bf16.toBf16(1f + 0x1p-8f)).as("tie to even").isEqualTo(0x3F80);
        assertThat(WeightStorage.Bf16.toBf16(1f + 0x1p-8f + 0x1p-20f)).isEqualTo(0x3F81);
        // nearest: no other code is closer, checked on random floats against both neighbours
        Random rnd = new Random(4);
        for (int i = 0; i < 20000; i++) {
            float f = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian() * 5));
            int h = WeightStorage.Fp16.toHalf(f);
            double err = Math.abs(WeightStorage.Fp16.fromHalf(h) - (double) f);
            for (int n : new int[] {h - 1, h + 1}) {
                float other = WeightStorage.Fp16.fromHalf(n & 0xFFFF);
                if (Float.isFinite(other) && Math.abs(f) < 65504) {
                    assertThat(err).as("fp16 of " + f).isLessThanOrEqualTo(Math.abs(other - (double) f));
                }
            }
        }
    }

    @Test
    void perChannelParametersRunAlongTheAxis() {
        // [2, 3, 2]: channels of axis 1 are the middle index
        Weights w = new Weights(new int[] {2, 3, 2}, new float[] {1, 1, 2, 2, 3, 3, -1, -1, -2, -2, -3, -3});
        w.setStorage(WeightStorage.IntN.symmetric(8, 1, new float[] {1f / 127, 2f / 127, 3f / 127}));
        assertThat(w.codes()).containsExactly(127, 127, 127, 127, 127, 127, -127, -127, -127, -127, -127, -127);
        w.projectToStorage();
        assertThat(w.effectiveValues()).containsExactly(w.data());
    }

    @Test
    void aSlotRefusesADescriptionThatDoesNotFitItsShape() {
        Weights w = Weights.zeros(4, 3);
        assertThatThrownBy(() -> w.setStorage(WeightStorage.IntN.symmetric(8, 1, new float[] {1, 1, 1, 1})))
                .hasMessageContaining("int8-narrow storage has 4 channels, but axis 1 of shape [4, 3] has 3");
        assertThatThrownBy(() -> w.setStorage(new WeightStorage.Binary(2, new float[] {1})))
                .hasMessageContaining("per channel of axis 2 does not fit a tensor of shape [4, 3]");
        assertThatThrownBy(() -> w.setStorage(null)).hasMessageContaining("fp32 is WeightStorage.fp32()");
        assertThatThrownBy(() -> WeightStorage.IntN.symmetric(9, -1, new float[] {1}))
                .hasMessageContaining("integer storage needs 2 to 8 bits, got 9");
        assertThatThrownBy(() -> WeightStorage.IntN.symmetric(8, -1, new float[] {0}))
                .hasMessageContaining("scale 0 must be positive and finite, got 0.0");
        assertThatThrownBy(() -> new WeightStorage.IntN(4, true, -1, new float[] {1}, new int[] {-8}))
                .hasMessageContaining("zero point 0 = -8 is outside the code range [-7, 7]");
        assertThatThrownBy(() -> new WeightStorage.IntN(4, true, -1, new float[] {1, 2}, new int[] {0, 0}))
                .hasMessageContaining("one scale and one zero point per channel (one for per tensor)");
    }

    @Test
    void copiesKeepTheDescriptionAndTheMask() {
        Weights w = new Weights(new int[] {2, 2}, new float[] {0.5f, -0.25f, 1f, 0.1f});
        w.setMask(new float[] {1, 0, 1, 1});
        w.setStorage(new WeightStorage.Binary(0, new float[] {0.5f, 0.75f}));
        Weights c = w.copy();
        assertThat(c.storage()).isEqualTo(w.storage());
        assertThat(c.mask()).isEqualTo(w.mask()).isNotSameAs(w.mask());
        assertThat(c.effectiveValues()).containsExactly(0.5f, 0f, 0.75f, 0.75f);
        assertThat(c.codes()).containsExactly(1, 0, 1, 1);
        // the arrays of a record are its own: changing what was passed in or read out changes nothing
        float[] scales = {2f};
        WeightStorage.IntN s = WeightStorage.IntN.symmetric(8, -1, scales);
        scales[0] = 3f;
        s.scales()[0] = 4f;
        assertThat(s.scale(0)).isEqualTo(2f);
        assertThat(s).isEqualTo(WeightStorage.IntN.symmetric(8, -1, new float[] {2f}))
                .hasSameHashCodeAs(WeightStorage.IntN.symmetric(8, -1, new float[] {2f}));
    }
}
