package dev.gancompress.compress.lowrank;

import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.gancompress.compress.lowrank.LowRankFixtures.LAYER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Rank choice against singular values computed without EJML (Jacobi eigenvalues of the Gram matrix of each
 * rearrangement, written out from the weight layout here), and the truncation error against Eckart-Young.
 */
class RankSelectionTest {
    private static final double[] ENERGIES = {0.3, 0.5, 0.8, 0.9, 0.95, 0.99};

    /** Eigenvalues of a symmetric n x n matrix (row-major), descending: cyclic Jacobi rotations. */
    static double[] eigenvalues(double[] g, int n) {
        double[] a = g.clone();
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p * n + q] * a[p * n + q];
                }
            }
            if (off < 1e-26) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p * n + q];
                    if (Math.abs(apq) < 1e-300) {
                        continue;
                    }
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k * n + p];
                        double akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p * n + k];
                        double aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] ev = new double[n];
        for (int i = 0; i < n; i++) {
            ev[i] = Math.max(0, a[i * n + i]);
        }
        Arrays.sort(ev);
        for (int i = 0; i < n / 2; i++) {
            double tmp = ev[i];
            ev[i] = ev[n - 1 - i];
            ev[n - 1 - i] = tmp;
        }
        return ev;
    }

    /** Squared singular values of the rows x cols matrix {@code entry(i, j)}: eigenvalues of M M^T. */
    static double[] squaredSingularValues(int rows, int cols, FactorWeights.Entry entry) {
        double[] g = new double[rows * rows];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < rows; k++) {
                double s = 0;
                for (int j = 0; j < cols; j++) {
                    s += entry.at(i, j) * entry.at(k, j);
                }
                g[i * rows + k] = s;
            }
        }
        return eigenvalues(g, rows);
    }

    static int expectedRank(double[] lambda, double energy) {
        double total = Arrays.stream(lambda).sum();
        double sum = 0;
        for (int r = 1; r <= lambda.length; r++) {
            sum += lambda[r - 1];
            if (sum >= energy * total) {
                return r;
            }
        }
        return lambda.length;
    }

    private static LayerDecision decide(Model model, String method, double energy) {
        LowRankFactorization pass = new LowRankFactorization(LowRankConfig.ofEnergy(method, energy).withForce(true));
        List<LayerDecision> decisions = pass.factorise(model).decisions();
        assertThat(decisions).hasSize(1);
        return decisions.get(0);
    }

    @Test
    void energyPicksTheSmallestRankThatReachesItForALinear() {
        Model model = LowRankFixtures.linear(16, 10, 5);
        float[] w = model.node(LAYER).layer().weights().get(0).weights().data();
        double[] lambda = squaredSingularValues(10, 16, (o, c) -> w[o * 16 + c]);
        for (double e : ENERGIES) {
            LayerDecision d = decide(model, LowRankConfig.SVD_CHANNEL, e);
            int r = expectedRank(lambda, e);
            assertThat(d.ranks()).as("energy " + e).containsExactly(r);
            double kept = Arrays.stream(lambda, 0, r).sum() / Arrays.stream(lambda).sum();
            assertThat(d.retainedEnergy().get(0)).isCloseTo(kept, within(1e-9)).isGreaterThanOrEqualTo(e);
            assertThat(Arrays.stream(lambda, 0, r - 1).sum() / Arrays.stream(lambda).sum()).isLessThan(e);
        }
    }

    @Test
    void energyPicksTheSmallestRankOfEveryConvRearrangement() {
        int in = 5;
        int out = 6;
        Model model = LowRankFixtures.conv(in, out, 3, 1, 1, 6, 9);
        float[] w = model.node(LAYER).layer().weights().get(0).weights().data();
        // kernel-first channel SVD and Tucker's out mode: M[o, (c, a)]; Tucker's in mode: M[c, (o, a)]
        double[] outMode = squaredSingularValues(out, in * 9, (o, j) -> w[o * in * 9 + j]);
        double[] inMode = squaredSingularValues(in, out * 9, (c, j) -> w[((j / 9) * in + c) * 9 + j % 9]);
        // spatial: M[(c, y), (o, x)] = W[o, c, y, x]
        double[] spatial = squaredSingularValues(in * 3, out * 3,
                (cy, ox) -> w[(((ox / 3) * in + cy / 3) * 3 + cy % 3) * 3 + ox % 3]);
        for (double e : ENERGIES) {
            assertThat(decide(model, LowRankConfig.SVD_CHANNEL, e).ranks()).as("channel, energy " + e)
                    .containsExactly(expectedRank(outMode, e));
            assertThat(decide(model, LowRankConfig.SPATIAL, e).ranks()).as("spatial, energy " + e)
                    .containsExactly(expectedRank(spatial, e));
            assertThat(decide(model, LowRankConfig.TUCKER2, e).ranks()).as("tucker2, energy " + e)
                    .containsExactly(expectedRank(inMode, e), expectedRank(outMode, e));
        }
    }

    /**
     * The chain's effective weight, probed with one-hot inputs (a Conv with a k x k input and no padding has a
     * 1 x 1 output; a ConvT with a 1 x 1 input has a k x k output), minus the output for a zero input (the bias).
     */
    private static float[] effectiveWeight(Model model) {
        Input x = model.inputs().get(0);
        int n = x.shape().size();
        float[] oneHot = new float[(n + 1) * n];
        for (int i = 0; i < n; i++) {
            oneHot[i * n + i] = 1;
        }
        int[] shape = x.shape().dims();
        int[] batchShape = new int[shape.length + 1];
        batchShape[0] = n + 1;
        System.arraycopy(shape, 0, batchShape, 1, shape.length);
        Tensor y = LowRankFixtures.run(model, Map.of(x.name(), new Tensor(batchShape, oneHot)));
        int m = y.sampleSize();
        float[] w = new float[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                w[i * m + j] = y.data()[i * m + j] - y.data()[n * m + j];
            }
        }
        return w;
    }

    private static double squaredDistance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
        }
        return s;
    }

    private static void assertErrorFallsWithRank(Model model, String method) {
        float[] original = effectiveWeight(model);
        double norm = squaredDistance(original, new float[original.length]);
        LayerDecomposition d = FullRankExactnessTest.decomposition(model, method);
        int[] full = d.fullRanks();
        double[] spectrum = d.factor().spectra().get(0);
        int maxRank = Arrays.stream(full).max().orElseThrow();
        double previous = Double.POSITIVE_INFINITY;
        for (int r = 1; r <= maxRank; r++) {
            int[] ranks = new int[full.length];
            for (int i = 0; i < full.length; i++) {
                ranks[i] = Math.min(r, full[i]);
            }
            double error = squaredDistance(effectiveWeight(FullRankExactnessTest.chain(model, method, ranks)),
                    original) / norm;
            assertThat(error).as(method + " rank " + r).isLessThanOrEqualTo(previous + 1e-9);
            if (full.length == 1) {
                // Eckart-Young: the squared error is the sum of the dropped squared singular values
                double dropped = 1 - RankSelection.retained(spectrum, r);
                assertThat(error).as(method + " rank " + r + " vs Eckart-Young").isCloseTo(dropped, within(1e-5));
            }
            previous = error;
        }
        assertThat(previous).as(method + " at full rank").isLessThan(1e-9);
    }

    @Test
    void truncationErrorFallsMonotonicallyWithRank() {
        Model conv = LowRankFixtures.conv(4, 5, 3, 1, 0, 3, 21);
        ConvTranspose2d t = ConvTranspose2d.create(4, 5, Kernel2d.square(3, 1, 0), 0, true);
        Model convT = LowRankFixtures.single(Input.image("x", 4, 1, 1), t, 22);
        for (String method : LowRankConfig.METHODS) {
            assertErrorFallsWithRank(conv, method);
            assertErrorFallsWithRank(convT, method);
        }
        assertErrorFallsWithRank(LowRankFixtures.linear(7, 9, 23), LowRankConfig.SVD_CHANNEL);
    }
}
