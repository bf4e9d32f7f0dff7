package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MomentumConventionTest {
    @Test
    void onnxMomentumIsOneMinusPytorchMomentum() {
        assertThat(MomentumConvention.toOnnx(0.1f)).isEqualTo(0.9f);
        assertThat(MomentumConvention.toOnnx(0f)).isEqualTo(1f);
        assertThat(MomentumConvention.fromOnnx(0.99f)).isEqualTo(0.01f);
    }

    @Test
    void everyThreeDecimalMomentumRoundTripsBitExactly() {
        for (int k = 0; k <= 1000; k++) {
            float m = k / 1000f;
            assertThat(MomentumConvention.fromOnnx(MomentumConvention.toOnnx(m))).as("momentum " + m).isEqualTo(m);
        }
    }
}
