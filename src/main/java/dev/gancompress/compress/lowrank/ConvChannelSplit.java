package dev.gancompress.compress.lowrank;

import java.util.List;

/**
 * Channel decomposition of a convolution by one truncated SVD (Zhang et al. 2016, "Accelerating very deep
 * convolutional networks for classification and detection", without their nonlinear refinement). Two orders exist:
 * <ul>
 *   <li>kernel first: the original Conv/ConvT (same stride and padding) to r channels, then a 1x1 Conv r -> out at
 *   the output resolution, from the SVD of M[o, (c, a)];</li>
 *   <li>pointwise first: a 1x1 Conv in -> r at the input resolution, then the original Conv/ConvT r -> out, from
 *   the SVD of M[c, (o, a)].</li>
 * </ul>
 * The MACs of each are linear in r with a slope fixed by the layer's shapes, so the cheaper slope is the cheaper
 * order at every rank and the choice needs no spectrum. A DCGAN ConvT that halves channels while doubling the
 * resolution is cheaper pointwise first; a Conv to few output channels (to_image) is too, since its kernel-first
 * rank is at most out.
 */
final class ConvChannelSplit implements LayerDecomposition {
    private final ConvGeometry g;
    private final boolean pointwiseFirst;

    ConvChannelSplit(ConvGeometry g) {
        this.g = g;
        this.pointwiseFirst = slope(true) < slope(false);
    }

    /** MACs per unit of rank. */
    private long slope(boolean pointwise) {
        return pointwise ? g.in() * g.inPixels() + g.kernelPixels() * g.out() * g.area()
                : g.kernelPixels() * g.in() * g.area() + g.out() * g.outPixels();
    }

    @Override
    public String describe() {
        String k = g.kernel().kh() + "x" + g.kernel().kw();
        String kind = g.transposed() ? "ConvT " : "Conv ";
        return pointwiseFirst ? "Conv 1x1 " + g.in() + "->r, " + kind + k + " r->" + g.out()
                : kind + k + " " + g.in() + "->r, Conv 1x1 r->" + g.out();
    }

    @Override
    public List<String> modes() {
        return List.of("r");
    }

    @Override
    public int[] fullRanks() {
        return new int[]{pointwiseFirst ? Math.min(g.in(), g.out() * g.area()) : Math.min(g.out(), g.in() * g.area())};
    }

    @Override
    public long macs(int[] ranks) {
        return ranks[0] * slope(pointwiseFirst);
    }

    @Override
    public Factors factor() {
        int area = g.area();
        if (pointwiseFirst) {
            SvdFactors svd = SvdFactors.of(g.inMajor(), g.in(), g.out() * area);
            return new Factors(List.of(svd.singularValues()), ranks -> List.of(
                    ConvGeometry.pointwise(g.in(), ranks[0], (k, c) -> svd.left(c, k), null),
                    g.sameKind(ranks[0], g.out(), g.kernel(), g.outputPadH(), g.outputPadW(),
                            (o, k, a) -> svd.right(k, o * area + a), g.biasCopy())));
        }
        SvdFactors svd = SvdFactors.of(g.outMajor(), g.out(), g.in() * area);
        return new Factors(List.of(svd.singularValues()), ranks -> List.of(
                g.sameKind(g.in(), ranks[0], g.kernel(), g.outputPadH(), g.outputPadW(),
                        (k, c, a) -> svd.right(k, c * area + a), null),
                ConvGeometry.pointwise(ranks[0], g.out(), svd::left, g.biasCopy())));
    }
}
