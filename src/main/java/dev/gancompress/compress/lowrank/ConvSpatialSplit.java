package dev.gancompress.compress.lowrank;

import dev.gancompress.model.Kernel2d;

import java.util.List;

/**
 * Spatial decomposition (Jaderberg, Vedaldi and Zisserman 2014, "Speeding up convolutional neural networks with low
 * rank expansions", scheme 2): a kh x kw kernel bank becomes r vertical kh x 1 filters followed by out horizontal
 * 1 x kw filters over the r intermediate maps. Scheme 2 exploits redundancy across channels and space at once, and
 * its optimal filters come in closed form from the SVD of W rearranged as M[(c, y), (o, x)] = W[o, c, y, x].
 *
 * <p>A convolution is separable along its two axes, so the vertical layer carries the H stride and padding (and,
 * for a ConvT, the H output padding) and the horizontal layer the W ones; at full rank the chain is exact.
 */
final class ConvSpatialSplit implements LayerDecomposition {
    private final ConvGeometry g;

    ConvSpatialSplit(ConvGeometry g) {
        this.g = g;
    }

    @Override
    public String describe() {
        String kind = g.transposed() ? "ConvT " : "Conv ";
        return kind + g.kernel().kh() + "x1 " + g.in() + "->r, " + kind + "1x" + g.kernel().kw() + " r->" + g.out();
    }

    @Override
    public List<String> modes() {
        return List.of("r");
    }

    @Override
    public int[] fullRanks() {
        return new int[]{Math.min(g.in() * g.kernel().kh(), g.out() * g.kernel().kw())};
    }

    @Override
    public long macs(int[] ranks) {
        // The vertical layer's output is outH x inW; a Conv counts taps there, a ConvT at its input.
        long vertical = g.transposed() ? g.inPixels() : (long) g.outH() * g.inW();
        long horizontal = g.transposed() ? (long) g.outH() * g.inW() : g.outPixels();
        return ranks[0] * (vertical * g.in() * g.kernel().kh() + horizontal * g.out() * g.kernel().kw());
    }

    @Override
    public Factors factor() {
        Kernel2d k = g.kernel();
        int kh = k.kh();
        int kw = k.kw();
        double[] m = new double[g.in() * kh * g.out() * kw];
        int cols = g.out() * kw;
        for (int o = 0; o < g.out(); o++) {
            for (int c = 0; c < g.in(); c++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        m[(c * kh + y) * cols + o * kw + x] = g.w(o, c, y * kw + x);
                    }
                }
            }
        }
        SvdFactors svd = SvdFactors.of(m, g.in() * kh, cols);
        // each factor keeps its axis's dilation and padding: tap (y, x) of the product reads (y dh, x dw), as before
        Kernel2d vertical = new Kernel2d(kh, 1, k.strideH(), 1, k.padH(), 0, k.dilationH(), 1, k.padEndH(), 0);
        Kernel2d horizontal = new Kernel2d(1, kw, 1, k.strideW(), 0, k.padW(), 1, k.dilationW(), 0, k.padEndW());
        return new Factors(List.of(svd.singularValues()), ranks -> List.of(
                g.sameKind(g.in(), ranks[0], vertical, g.outputPadH(), 0, (r, c, y) -> svd.left(c * kh + y, r), null),
                g.sameKind(ranks[0], g.out(), horizontal, 0, g.outputPadW(), (o, r, x) -> svd.right(r, o * kw + x),
                        g.biasCopy())));
    }
}
