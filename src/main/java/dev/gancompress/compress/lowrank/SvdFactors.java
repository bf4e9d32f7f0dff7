package dev.gancompress.compress.lowrank;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * The thin SVD M = U S V^T of a dense row-major matrix (EJML), singular values in descending order, so that the
 * first r triplets give the best rank-r approximation in the Frobenius norm (Eckart-Young). The rank-r factors are
 * split symmetrically, sqrt(S) into each ({@link #left}, {@link #right}): both layers of a split then have weights of
 * the same scale, which keeps fine-tuning with one learning rate balanced.
 */
final class SvdFactors {
    private final int rows;
    private final int cols;
    private final int k;
    private final double[] u;
    private final double[] s;
    private final double[] vt;

    private SvdFactors(int rows, int cols, double[] u, double[] s, double[] vt) {
        this.rows = rows;
        this.cols = cols;
        this.k = s.length;
        this.u = u;
        this.s = s;
        this.vt = vt;
    }

    /** Factors the {@code rows x cols} matrix stored row-major in {@code a} (left unchanged). */
    static SvdFactors of(double[] a, int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        System.arraycopy(a, 0, m.data, 0, rows * cols);
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(rows, cols, true, true, true);
        if (!svd.decompose(m)) {
            throw new IllegalStateException("SVD of a " + rows + " x " + cols + " matrix did not converge");
        }
        DMatrixRMaj uMat = svd.getU(null, false);
        DMatrixRMaj w = svd.getW(null);
        DMatrixRMaj vtMat = svd.getV(null, true);
        SingularOps_DDRM.descendingOrder(uMat, false, w, vtMat, true);
        int k = Math.min(rows, cols);
        double[] s = new double[k];
        for (int i = 0; i < k; i++) {
            s[i] = w.get(i, i);
        }
        return new SvdFactors(rows, cols, compactColumns(uMat, rows, k), s, compactRows(vtMat, k, cols));
    }

    /** The first {@code k} columns of {@code m}, row-major (EJML may return more than the thin factor). */
    private static double[] compactColumns(DMatrixRMaj m, int rows, int k) {
        double[] out = new double[rows * k];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < k; j++) {
                out[i * k + j] = m.get(i, j);
            }
        }
        return out;
    }

    private static double[] compactRows(DMatrixRMaj m, int k, int cols) {
        double[] out = new double[k * cols];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < cols; j++) {
                out[i * cols + j] = m.get(i, j);
            }
        }
        return out;
    }

    int rows() {
        return rows;
    }

    int cols() {
        return cols;
    }

    /** Singular values, descending (a copy). */
    double[] singularValues() {
        return s.clone();
    }

    /** U[i, j]: row i of the j-th left singular vector. */
    double u(int i, int j) {
        return u[i * k + j];
    }

    /** U[i, j] sqrt(s_j): the left factor of the symmetric split. */
    double left(int i, int j) {
        return u[i * k + j] * Math.sqrt(s[j]);
    }

    /** sqrt(s_j) V^T[j, i]: the right factor of the symmetric split. */
    double right(int j, int i) {
        return Math.sqrt(s[j]) * vt[j * cols + i];
    }
}
