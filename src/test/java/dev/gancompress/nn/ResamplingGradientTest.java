package dev.gancompress.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gancompress.model.DepthToSpace;
import dev.gancompress.model.Input;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Resize2d;
import dev.gancompress.model.Resize2d.CoordinateMode;
import dev.gancompress.model.Resize2d.Interpolation;
import dev.gancompress.model.Resize2d.NearestRounding;
import dev.gancompress.model.Shape;
import dev.gancompress.model.SpaceToDepth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference gradients ({@link GradientCheckTest#check}) of DepthToSpace, SpaceToDepth and Resize2d, plus
 * their forward passes on small inputs worked out by hand from the ONNX definitions.
 */
class ResamplingGradientTest {
    private static final double TOLERANCE = 1e-3;

    private static Model single(String name, Shape in, Layer layer) {
        return new Model(name, List.of(Input.image("x", in.channels(), in.height(), in.width())),
                List.of(Node.of("layer", layer, "x")), "layer", Map.of());
    }

    private static float[] forward(Layer layer, Shape in, float[] x) {
        Model m = single("f", in, layer);
        return new Network(m).forward(Map.of("x", new Tensor(new int[] {1, in.channels(), in.height(), in.width()},
                x)), false).data();
    }

    private static float[] iota(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }

    @Test
    void depthToSpaceAndSpaceToDepthGradients() {
        for (DepthToSpace.Mode mode : DepthToSpace.Mode.values()) {
            assertThat(GradientCheckTest.check(single("d2s-" + mode, Shape.of(8, 2, 3), new DepthToSpace(2, mode)), 2,
                    false, 1e-2, 0)).isLessThan(TOLERANCE);
        }
        assertThat(GradientCheckTest.check(single("s2d", Shape.of(3, 4, 6), new SpaceToDepth(2)), 2, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
    }

    @Test
    void depthToSpaceOrdersChannelsAsTheModeSays() {
        Shape in = Shape.of(8, 1, 1);
        float[] x = iota(8);
        // two output channels: DCR output channel c at (i, j) reads (i*2 + j)*2 + c; CRD reads c*4 + i*2 + j
        assertThat(forward(new DepthToSpace(2, DepthToSpace.Mode.DCR), in, x))
                .containsExactly(0, 2, 4, 6, 1, 3, 5, 7);
        assertThat(forward(new DepthToSpace(2, DepthToSpace.Mode.CRD), in, x))
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        // SpaceToDepth undoes DCR
        Shape img = Shape.of(2, 2, 2);
        assertThat(forward(new SpaceToDepth(2), img, new float[] {0, 2, 4, 6, 1, 3, 5, 7}))
                .containsExactly(iota(8));
    }

    @Test
    void resizeGradientsForNearestAndLinear() {
        Shape in = Shape.of(2, 3, 4);
        List<Resize2d> layers = List.of(
                new Resize2d(Interpolation.NEAREST, CoordinateMode.HALF_PIXEL, NearestRounding.CEIL, 7, 5, 7 / 3.0,
                        5 / 4.0),
                new Resize2d(Interpolation.NEAREST, CoordinateMode.ALIGN_CORNERS, NearestRounding.ROUND_PREFER_CEIL,
                        2, 3, 0.6, 0.75),
                new Resize2d(Interpolation.LINEAR, CoordinateMode.PYTORCH_HALF_PIXEL, NearestRounding.FLOOR, 6, 8, 2,
                        2),
                new Resize2d(Interpolation.LINEAR, CoordinateMode.ALIGN_CORNERS, NearestRounding.FLOOR, 5, 7, 5 / 3.0,
                        7 / 4.0),
                new Resize2d(Interpolation.LINEAR, CoordinateMode.HALF_PIXEL, NearestRounding.FLOOR, 2, 3, 0.6, 0.8));
        for (Resize2d r : layers) {
            assertThat(GradientCheckTest.check(single("resize-" + r.interpolation() + "-" + r.coordinates(), in, r), 2,
                    false, 1e-2, 0)).as(r.toString()).isLessThan(TOLERANCE);
        }
    }

    @Test
    void resizeForwardByHand() {
        Shape in = Shape.of(1, 1, 4);
        float[] x = {10, 20, 30, 40};
        // half_pixel, scale 2: source (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, ... ; ceil reads 0,1,1,2,2,3,3,3
        assertThat(forward(new Resize2d(Interpolation.NEAREST, CoordinateMode.HALF_PIXEL, NearestRounding.CEIL, 1, 8,
                1, 2), in, x)).containsExactly(10, 20, 20, 30, 30, 40, 40, 40);
        // linear: 10 (clamped), 12.5, 17.5, 22.5, 27.5, 32.5, 37.5, 40 (clamped)
        assertThat(forward(new Resize2d(Interpolation.LINEAR, CoordinateMode.HALF_PIXEL, NearestRounding.FLOOR, 1, 8,
                1, 2), in, x)).containsExactly(10, 12.5f, 17.5f, 22.5f, 27.5f, 32.5f, 37.5f, 40);
        // align_corners to 3: sources 0, 1.5, 3; round_prefer_floor takes 1 for the tie, round_prefer_ceil 2
        assertThat(forward(new Resize2d(Interpolation.NEAREST, CoordinateMode.ALIGN_CORNERS,
                NearestRounding.ROUND_PREFER_FLOOR, 1, 3, 1, 0.75), in, x)).containsExactly(10, 20, 40);
        assertThat(forward(new Resize2d(Interpolation.NEAREST, CoordinateMode.ALIGN_CORNERS,
                NearestRounding.ROUND_PREFER_CEIL, 1, 3, 1, 0.75), in, x)).containsExactly(10, 30, 40);
    }
}
