package dev.gancompress.compress.lowrank;

import java.util.List;

/**
 * Tucker-2 decomposition (Kim et al. 2016, "Compression of deep convolutional neural networks for fast and low
 * power mobile applications"): only the two channel modes are compressed, W ~ G x_out U_out x_in U_in, because the
 * kernel modes of a 3x3 or 4x4 layer are too small to be worth it. The chain is a 1x1 Conv in -> r_in at the input
 * resolution, the core Conv/ConvT r_in -> r_out with the original geometry, and a 1x1 Conv r_out -> out at the
 * output resolution with the bias. The factors are the HOSVD initialisation the paper fine-tunes from: U_in and
 * U_out are the leading left singular vectors of the mode-1 (in) and mode-0 (out) unfoldings, G = W x U^T on both
 * modes. The ranks are chosen per mode, from each unfolding's spectrum (the paper uses VBMF; energy is simpler and
 * shares one knob with the other methods).
 */
final class Tucker2Split implements LayerDecomposition {
    private final ConvGeometry g;

    Tucker2Split(ConvGeometry g) {
        this.g = g;
    }

    @Override
    public String describe() {
        String kind = g.transposed() ? "ConvT " : "Conv ";
        return "Conv 1x1 " + g.in() + "->r_in, " + kind + g.kernel().kh() + "x" + g.kernel().kw()
                + " r_in->r_out, Conv 1x1 r_out->" + g.out();
    }

    @Override
    public List<String> modes() {
        return List.of("r_in", "r_out");
    }

    @Override
    public int[] fullRanks() {
        return new int[]{Math.min(g.in(), g.out() * g.area()), Math.min(g.out(), g.in() * g.area())};
    }

    @Override
    public long macs(int[] ranks) {
        long rIn = ranks[0];
        long rOut = ranks[1];
        return g.in() * rIn * g.inPixels() + g.kernelPixels() * rIn * rOut * g.area() + rOut * g.out() * g.outPixels();
    }

    @Override
    public Factors factor() {
        int area = g.area();
        int[] full = fullRanks();
        SvdFactors inMode = SvdFactors.of(g.inMajor(), g.in(), g.out() * area);
        SvdFactors outMode = SvdFactors.of(g.outMajor(), g.out(), g.in() * area);
        double[] core = core(inMode, outMode, full[0], full[1]);
        int coreIn = full[0];
        return new Factors(List.of(inMode.singularValues(), outMode.singularValues()), ranks -> List.of(
                ConvGeometry.pointwise(g.in(), ranks[0], (q, c) -> inMode.u(c, q), null),
                g.sameKind(ranks[0], ranks[1], g.kernel(), g.outputPadH(), g.outputPadW(),
                        (p, q, a) -> core[(p * coreIn + q) * area + a], null),
                ConvGeometry.pointwise(ranks[1], g.out(), outMode::u, g.biasCopy())));
    }

    /**
     * G[p, q, a] = sum over o, c of U_out[o, p] U_in[c, q] W(o, c, a) at the full ranks; a truncated core is its
     * leading block, since truncation drops whole columns of U.
     */
    private double[] core(SvdFactors inMode, SvdFactors outMode, int rIn, int rOut) {
        int area = g.area();
        int in = g.in();
        double[] half = new double[rOut * in * area];
        for (int o = 0; o < g.out(); o++) {
            for (int c = 0; c < in; c++) {
                for (int a = 0; a < area; a++) {
                    double w = g.w(o, c, a);
                    for (int p = 0; p < rOut; p++) {
                        half[(p * in + c) * area + a] += outMode.u(o, p) * w;
                    }
                }
            }
        }
        double[] core = new double[rOut * rIn * area];
        for (int p = 0; p < rOut; p++) {
            for (int c = 0; c < in; c++) {
                for (int q = 0; q < rIn; q++) {
                    double u = inMode.u(c, q);
                    for (int a = 0; a < area; a++) {
                        core[(p * rIn + q) * area + a] += u * half[(p * in + c) * area + a];
                    }
                }
            }
        }
        return core;
    }
}
