package dev.gancompress.nn;

import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Weights;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The direct path (few output channels) computes what the im2col path computes. */
class DirectConvolutionTest {
    @Test
    void directAndIm2colPathsAgree() {
        SplittableRandom rnd = new SplittableRandom(3);
        Kernel2d k = Kernel2d.square(3, 1, 1);
        float[] w = new float[3 * 6 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextDouble(-1, 1);
        }
        // 3 output channels: direct; the same weights padded to 5 outputs: im2col (the extra rows are zero)
        float[] w5 = java.util.Arrays.copyOf(w, 5 * 6 * 9);
        Model direct = model(new Conv2d(6, 3, k, new Weights(new int[] {3, 6, 3, 3}, w), null));
        Model gemm = model(new Conv2d(6, 5, k, new Weights(new int[] {5, 6, 3, 3}, w5), null));
        float[] x = new float[4 * 6 * 7 * 9];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        Map<String, Tensor> in = Map.of("x", new Tensor(new int[] {4, 6, 7, 9}, x));
        Tensor a = new Network(direct).forward(in, false);
        Tensor b = new Network(gemm).forward(in, false);
        for (int n = 0; n < 4; n++) {
            for (int i = 0; i < 3 * 63; i++) {
                assertThat((double) a.data()[n * 3 * 63 + i]).isCloseTo(b.data()[n * 5 * 63 + i],
                        org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    private static Model model(Conv2d conv) {
        return new Model("c", List.of(Input.image("x", 6, 7, 9)), List.of(Node.of("conv", conv, "x")), "conv",
                Map.of());
    }
}
