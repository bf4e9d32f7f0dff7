package dev.gancompress.compress.lowrank;

import dev.gancompress.model.Linear;

import java.util.List;

/**
 * Truncated SVD of a fully connected layer, W ~ (U_r sqrt(S_r)) (sqrt(S_r) V_r^T): Linear in -> r without bias,
 * then Linear r -> out with the original bias (Denton et al. 2014, "Exploiting linear structure within
 * convolutional networks for efficient evaluation"). It pays when r (in + out) < in out.
 */
final class LinearSvd implements LayerDecomposition {
    private final Linear layer;

    LinearSvd(Linear layer) {
        this.layer = layer;
    }

    @Override
    public String describe() {
        return "Linear " + layer.in() + "->r, Linear r->" + layer.out();
    }

    @Override
    public List<String> modes() {
        return List.of("r");
    }

    @Override
    public int[] fullRanks() {
        return new int[]{Math.min(layer.in(), layer.out())};
    }

    @Override
    public long macs(int[] ranks) {
        return (long) ranks[0] * (layer.in() + layer.out());
    }

    @Override
    public Factors factor() {
        float[] w = layer.weight().data();
        double[] m = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            m[i] = w[i];
        }
        SvdFactors svd = SvdFactors.of(m, layer.out(), layer.in());
        return new Factors(List.of(svd.singularValues()), ranks -> {
            int r = ranks[0];
            Linear first = new Linear(layer.in(), r, FactorWeights.matrix(svd::right, r, r, layer.in()), null);
            Linear second = new Linear(r, layer.out(), FactorWeights.matrix(svd::left, layer.out(), layer.out(), r),
                    layer.bias() == null ? null : layer.bias().copy());
            return List.of(first, second);
        });
    }
}
