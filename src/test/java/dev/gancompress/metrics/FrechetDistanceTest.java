package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

class FrechetDistanceTest {

    private static double[][] diag(double... v) {
        double[][] m = new double[v.length][v.length];
        for (int i = 0; i < v.length; i++) {
            m[i][i] = v[i];
        }
        return m;
    }

    /** Q diag(v) Q^T for the rotation by theta in the (0, 1) plane: SPD, not diagonal. */
    private static double[][] rotated(double theta, double... v) {
        DMatrixRMaj q = CommonOps_DDRM.identity(v.length);
        q.set(0, 0, Math.cos(theta));
        q.set(0, 1, -Math.sin(theta));
        q.set(1, 0, Math.sin(theta));
        q.set(1, 1, Math.cos(theta));
        DMatrixRMaj tmp = new DMatrixRMaj(v.length, v.length);
        DMatrixRMaj out = new DMatrixRMaj(v.length, v.length);
        CommonOps_DDRM.mult(q, new DMatrixRMaj(diag(v)), tmp);
        CommonOps_DDRM.multTransB(tmp, q, out);
        return toArray(out);
    }

    private static double[][] toArray(DMatrixRMaj m) {
        double[][] a = new double[m.numRows][m.numCols];
        for (int i = 0; i < m.numRows; i++) {
            for (int j = 0; j < m.numCols; j++) {
                a[i][j] = m.get(i, j);
            }
        }
        return a;
    }

    private static double commutingClosedForm(double[] mu1, double[] mu2, double[] a, double[] b) {
        double f = 0;
        for (int i = 0; i < mu1.length; i++) {
            f += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
            f += (Math.sqrt(a[i]) - Math.sqrt(b[i])) * (Math.sqrt(a[i]) - Math.sqrt(b[i]));
        }
        return f;
    }

    @Test
    void diagonalCovariancesMatchTheClosedForm() {
        double[] mu1 = {0.5, -1, 2};
        double[] mu2 = {1.5, 0, -1};
        double[] a = {1, 4, 0.25};
        double[] b = {9, 1, 2};
        double fid = FrechetDistance.between(new GaussianStats(mu1, diag(a), 100), new GaussianStats(mu2, diag(b), 100));
        assertThat(fid).isCloseTo(commutingClosedForm(mu1, mu2, a, b), withinPercentage(1e-4));
    }

    @Test
    void commutingNonDiagonalCovariancesMatchTheClosedForm() {
        double[] mu1 = {0, 0, 1, 3};
        double[] mu2 = {1, 1, 1, 1};
        double[] a = {2, 0.5, 3, 1};
        double[] b = {0.1, 7, 3, 4};
        double fid = FrechetDistance.between(new GaussianStats(mu1, rotated(0.7, a), 10),
                new GaussianStats(mu2, rotated(0.7, b), 10));
        assertThat(fid).isCloseTo(commutingClosedForm(mu1, mu2, a, b), withinPercentage(1e-4));
    }

    @Test
    void nonCommuting2x2MatchesTheTraceDeterminantIdentity() {
        // For 2 x 2 SPD S1, S2 with eigenvalues l1, l2 of S1 S2: Tr sqrt(S1 S2) = sqrt(l1) + sqrt(l2)
        // = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)).
        double[][] s1 = {{2.0, 0.8}, {0.8, 1.0}};
        double[][] s2 = {{0.5, -0.3}, {-0.3, 3.0}};
        double[] mu1 = {1, 2};
        double[] mu2 = {-1, 0.5};
        double trProduct = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
        double det1 = s1[0][0] * s1[1][1] - s1[0][1] * s1[1][0];
        double det2 = s2[0][0] * s2[1][1] - s2[0][1] * s2[1][0];
        double traceSqrt = Math.sqrt(trProduct + 2 * Math.sqrt(det1 * det2));
        double expected = 4 + 2.25 + (s1[0][0] + s1[1][1]) + (s2[0][0] + s2[1][1]) - 2 * traceSqrt;
        double fid = FrechetDistance.between(new GaussianStats(mu1, s1, 5), new GaussianStats(mu2, s2, 5));
        assertThat(fid).isCloseTo(expected, withinPercentage(1e-4));
    }

    @Test
    void randomCovariancesMatchTheEigenvaluesOfTheNonSymmetricProduct() {
        int d = 6;
        Random r = new Random(4);
        double[][] s1 = randomSpd(d, r);
        double[][] s2 = randomSpd(d, r);
        DMatrixRMaj product = new DMatrixRMaj(d, d);
        CommonOps_DDRM.mult(new DMatrixRMaj(s1), new DMatrixRMaj(s2), product);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, false, false);
        assertThat(eig.decompose(product)).isTrue();
        double traceSqrt = 0;
        for (int i = 0; i < d; i++) {
            assertThat(eig.getEigenvalue(i).getImaginary()).isCloseTo(0, offset(1e-9));
            traceSqrt += Math.sqrt(eig.getEigenvalue(i).getReal());
        }
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += s1[i][i] + s2[i][i];
        }
        double[] zero = new double[d];
        double fid = FrechetDistance.between(new GaussianStats(zero, s1, 50), new GaussianStats(zero, s2, 50));
        assertThat(fid).isCloseTo(trace - 2 * traceSqrt, withinPercentage(1e-4));
    }

    private static double[][] randomSpd(int d, Random r) {
        double[][] a = new double[d][d];
        for (double[] row : a) {
            for (int j = 0; j < d; j++) {
                row[j] = r.nextGaussian();
            }
        }
        double[][] s = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                for (int k = 0; k < d; k++) {
                    s[i][j] += a[i][k] * a[j][k];
                }
            }
            s[i][i] += 0.1;
        }
        return s;
    }

    @Test
    void distanceToItselfIsZeroEvenForSingularCovariance() {
        GaussianStats full = GaussianStats.of(GaussianStatsTest.gaussianSamples(500, 16, 5, 0));
        assertThat(FrechetDistance.between(full, full)).isCloseTo(0, within(1e-9));
        // 6 samples in 16 dimensions: rank-5 covariance, the case where a general sqrtm struggles.
        GaussianStats singular = GaussianStats.of(GaussianStatsTest.gaussianSamples(6, 16, 6, 0));
        assertThat(FrechetDistance.between(singular, singular)).isCloseTo(0, within(1e-9));
    }

    @Test
    void distanceGrowsWithTheMeanShift() {
        GaussianStats base = GaussianStats.of(GaussianStatsTest.gaussianSamples(400, 8, 7, 0));
        double previous = FrechetDistance.between(base, GaussianStats.of(GaussianStatsTest.gaussianSamples(400, 8, 8, 0)));
        for (double shift : new double[] {0.5, 1, 2, 4}) {
            double fid = FrechetDistance.between(base,
                    GaussianStats.of(GaussianStatsTest.gaussianSamples(400, 8, 8, shift)));
            assertThat(fid).isGreaterThan(previous);
            previous = fid;
        }
        // A pure shift leaves the covariance term unchanged, so FID(2) - FID(1) = 8 * (4 - 1) - 2 * sum(delta)
        // with delta = mu_base - mu_unshifted.
        GaussianStats unshifted = GaussianStats.of(GaussianStatsTest.gaussianSamples(400, 8, 8, 0));
        double sumDelta = 0;
        for (int i = 0; i < 8; i++) {
            sumDelta += base.mean()[i] - unshifted.mean()[i];
        }
        double f1 = FrechetDistance.between(base, GaussianStats.of(GaussianStatsTest.gaussianSamples(400, 8, 8, 1)));
        double f2 = FrechetDistance.between(base, GaussianStats.of(GaussianStatsTest.gaussianSamples(400, 8, 8, 2)));
        assertThat(f2 - f1).isCloseTo(24 - 2 * sumDelta, within(1e-3));
    }

    @Test
    void dimensionMismatchIsAnInputError() {
        GaussianStats a = new GaussianStats(new double[2], diag(1, 1), 3);
        GaussianStats b = new GaussianStats(new double[3], diag(1, 1, 1), 3);
        assertThatThrownBy(() -> FrechetDistance.between(a, b))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("dimensions differ");
    }
}
