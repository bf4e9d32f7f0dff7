package dev.gancompress.nn;

import dev.gancompress.model.Activation;
import dev.gancompress.model.Model;
import dev.gancompress.model.Pix2pix;
import dev.gancompress.model.Pix2pixSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Finite-difference check of whole pix2pix graphs on the engine: the U-Net's skip concatenations, the ResNet's
 * residual additions after reflection padding and instance norm, and the two-input conditional discriminator,
 * forward and backward through every parameter and input. (Leaky) ReLUs are swapped for tanh: through a deep graph
 * a finite-difference step crosses some ReLU kink, which measures the kink, not the wiring; each activation's own
 * gradient is checked in {@link GradientCheckTest}.
 */
class Pix2pixGradientTest {
    private static final double TOLERANCE = 1e-3;

    private static Model smooth(Model m) {
        return m.mapNodes(n -> n.layer() instanceof Activation a && a.function() != Activation.Function.TANH
                ? n.withLayer(Activation.tanh()) : n);
    }

    @Test
    void unetGenerator() {
        assertThat(GradientCheckTest.check(smooth(Pix2pix.unet(new Pix2pixSpec(1, 1, 8, 2, 2, 0))), 2, true, 1e-2, 0))
                .isLessThan(TOLERANCE);
    }

    @Test
    void resnetGenerator() {
        // instance norm over 2x2 maps curves the loss strongly: a smaller step keeps the central difference's
        // truncation error (0.9 % at step 1e-2, falling with the square of the step) below a wrong gradient's O(1)
        assertThat(GradientCheckTest.check(smooth(Pix2pix.resnet(new Pix2pixSpec(1, 1, 8, 2, 2, 2))), 2, true, 3e-3, 0))
                .isLessThan(2 * TOLERANCE);
    }

    @Test
    void conditionalPatchDiscriminator() {
        assertThat(GradientCheckTest.check(smooth(Pix2pix.patchDiscriminator(new Pix2pixSpec(1, 1, 16, 2, 2, 0), "t")), 2,
                true, 1e-2, 0)).isLessThan(TOLERANCE);
    }
}
