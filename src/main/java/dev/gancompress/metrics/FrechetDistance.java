package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The Frechet (2-Wasserstein) distance between two Gaussians, which is FID when the Gaussians are fitted
 * to Inception-like features (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to
 * a Local Nash Equilibrium"): d^2 = ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2}).
 *
 * <p>Only the trace of (S1 S2)^{1/2} is needed. S1 S2 is similar to the symmetric positive semi-definite
 * M = S1^{1/2} S2 S1^{1/2} (conjugate by S1^{1/2}), so Tr (S1 S2)^{1/2} = sum_i sqrt(lambda_i(M)). Two
 * symmetric eigen-decompositions replace scipy's general (Schur-based) sqrtm: they are real, stable,
 * and accurate for singular covariances (n < d), where the general square root loses accuracy.
 * Eigenvalues within round-off of zero (or negative) are treated as zero. pytorch-fid's stabilising offset
 * (eps I added to both covariances inside the square root) is kept for the case where a decomposition
 * fails or yields non-finite values.
 */
public final class FrechetDistance {
    /** pytorch-fid's default offset. */
    public static final double DEFAULT_EPS = 1e-6;

    private FrechetDistance() {
    }

    public static double between(GaussianStats a, GaussianStats b) {
        return between(a, b, DEFAULT_EPS);
    }

    public static double between(GaussianStats a, GaussianStats b, double eps) {
        int d = a.dimension();
        if (b.dimension() != d) {
            throw new GanCompressException("FID: feature dimensions differ, " + d + " vs " + b.dimension()
                    + " (were both statistics computed with the same evaluator and layer?)");
        }
        double[] mu1 = a.mean();
        double[] mu2 = b.mean();
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            double diff = mu1[i] - mu2[i];
            meanTerm += diff * diff;
        }
        DMatrixRMaj s1 = new DMatrixRMaj(a.covariance());
        DMatrixRMaj s2 = new DMatrixRMaj(b.covariance());
        requireFinite(s1, "first");
        requireFinite(s2, "second");
        double traces = CommonOps_DDRM.trace(s1) + CommonOps_DDRM.trace(s2);
        double traceSqrt = traceSqrtProduct(s1, s2);
        if (!Double.isFinite(traceSqrt)) {
            DMatrixRMaj o1 = s1.copy();
            DMatrixRMaj o2 = s2.copy();
            for (int i = 0; i < d; i++) {
                o1.add(i, i, eps);
                o2.add(i, i, eps);
            }
            traceSqrt = traceSqrtProduct(o1, o2);
            if (!Double.isFinite(traceSqrt)) {
                throw new GanCompressException("FID: the square root of the covariance product is not finite even"
                        + " with offset eps=" + eps + "; the covariances are degenerate");
            }
        }
        return meanTerm + traces - 2 * traceSqrt;
    }

    /** Tr (S1 S2)^{1/2} through the eigenvalues of S1^{1/2} S2 S1^{1/2}; NaN when a decomposition fails. */
    static double traceSqrtProduct(DMatrixRMaj s1, DMatrixRMaj s2) {
        int d = s1.numRows;
        DMatrixRMaj root = symmetricSqrt(s1);
        if (root == null) {
            return Double.NaN;
        }
        DMatrixRMaj tmp = new DMatrixRMaj(d, d);
        DMatrixRMaj m = new DMatrixRMaj(d, d);
        CommonOps_DDRM.mult(root, s2, tmp);
        CommonOps_DDRM.mult(tmp, root, m);
        symmetrize(m);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, false, true);
        if (!eig.decompose(m)) {
            return Double.NaN;
        }
        double[] lambda = eigenvalues(eig);
        double floor = noiseFloor(lambda);
        double sum = 0;
        for (double l : lambda) {
            sum += l > floor ? Math.sqrt(l) : 0;
        }
        return sum;
    }

    /** V diag(sqrt(max(lambda, 0))) V^T of a symmetric matrix, or null when the decomposition fails. */
    static DMatrixRMaj symmetricSqrt(DMatrixRMaj s) {
        int d = s.numRows;
        DMatrixRMaj input = s.copy();
        symmetrize(input);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(input)) {
            return null;
        }
        double[] lambda = eigenvalues(eig);
        double floor = noiseFloor(lambda);
        DMatrixRMaj v = new DMatrixRMaj(d, d);
        DMatrixRMaj scaled = new DMatrixRMaj(d, d);
        for (int k = 0; k < d; k++) {
            DMatrixRMaj vec = eig.getEigenVector(k);
            if (vec == null) {
                return null;
            }
            double root = lambda[k] > floor ? Math.sqrt(lambda[k]) : 0;
            for (int i = 0; i < d; i++) {
                double x = vec.get(i, 0);
                v.set(i, k, x);
                scaled.set(i, k, x * root);
            }
        }
        DMatrixRMaj out = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransB(scaled, v, out);
        return out;
    }

    private static double[] eigenvalues(EigenDecomposition_F64<DMatrixRMaj> eig) {
        double[] lambda = new double[eig.getNumberOfEigenvalues()];
        for (int i = 0; i < lambda.length; i++) {
            lambda[i] = eig.getEigenvalue(i).getReal();
        }
        return lambda;
    }

    /**
     * Eigenvalues below d * machine-epsilon * lambda_max are round-off around a true zero (rank-deficient
     * covariance, n < d); their square roots (~1e-8 * scale each) would otherwise add up to a visible bias.
     */
    private static double noiseFloor(double[] lambda) {
        double max = 0;
        for (double l : lambda) {
            max = Math.max(max, Math.abs(l));
        }
        return max * lambda.length * Math.ulp(1.0);
    }

    private static void symmetrize(DMatrixRMaj m) {
        int d = m.numRows;
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                double avg = 0.5 * (m.get(i, j) + m.get(j, i));
                m.set(i, j, avg);
                m.set(j, i, avg);
            }
        }
    }

    private static void requireFinite(DMatrixRMaj m, String which) {
        for (double v : m.data) {
            if (!Double.isFinite(v)) {
                throw new GanCompressException("FID: the " + which + " covariance contains non-finite values");
            }
        }
    }
}
