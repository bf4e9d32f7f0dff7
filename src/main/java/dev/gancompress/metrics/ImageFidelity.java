package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import dev.gancompress.nn.Parallel;

import java.util.Arrays;

/**
 * Paired image fidelity for image-to-image generators (e.g. edges -> photo), where each output has a
 * ground truth: PSNR and SSIM (Wang et al. 2004, "Image Quality Assessment: From Error Visibility to
 * Structural Similarity"). Images are NCHW floats in [-1, 1], so the data range L is 2.
 *
 * <p>SSIM uses the paper's 11 x 11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03, population
 * (not sample) local moments, and averages the SSIM map over the valid region where the window fits
 * entirely inside the image. That equals skimage's {@code structural_similarity(gaussian_weights=True,
 * sigma=1.5, use_sample_covariance=False, data_range=2)}, which filters with padding and then crops the
 * 5-pixel border before averaging. Channels are computed separately and averaged, then images.
 */
public final class ImageFidelity {
    static final double DATA_RANGE = 2.0;
    static final int WINDOW = 11;
    static final double SIGMA = 1.5;
    private static final double C1 = (0.01 * DATA_RANGE) * (0.01 * DATA_RANGE);
    private static final double C2 = (0.03 * DATA_RANGE) * (0.03 * DATA_RANGE);
    private static final double[] GAUSSIAN = gaussianWindow();

    private ImageFidelity() {
    }

    /**
     * Mean over the batch of per-image PSNR = 10 log10(L^2 / MSE). An identical pair has infinite PSNR,
     * and then so has the mean: the caller sees that some outputs were exact rather than a capped number.
     */
    public static double psnr(float[] a, float[] b, int n, int c, int h, int w) {
        checkShapes(a, b, n, c, h, w);
        int size = c * h * w;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double se = 0;
            int off = i * size;
            for (int j = 0; j < size; j++) {
                double diff = (double) a[off + j] - b[off + j];
                se += diff * diff;
            }
            double mse = se / size;
            sum += mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(DATA_RANGE * DATA_RANGE / mse);
        }
        return sum / n;
    }

    /** Mean SSIM over images and channels; 1 for identical images. */
    public static double ssim(float[] a, float[] b, int n, int c, int h, int w) {
        checkShapes(a, b, n, c, h, w);
        if (h < WINDOW || w < WINDOW) {
            throw new GanCompressException("SSIM: images are " + h + " x " + w + ", need at least " + WINDOW + " x "
                    + WINDOW + " for the Gaussian window");
        }
        int planes = n * c;
        double[] perPlane = new double[planes];
        Parallel.forRange(planes, 1, (start, end) -> {
            for (int p = start; p < end; p++) {
                perPlane[p] = planeSsim(a, b, p * h * w, h, w);
            }
        });
        double sum = 0;
        for (double v : perPlane) {
            sum += v;
        }
        return sum / planes;
    }

    /** Mean of the SSIM map of one channel over the valid region. */
    static double planeSsim(float[] a, float[] b, int off, int h, int w) {
        int oh = h - WINDOW + 1;
        int ow = w - WINDOW + 1;
        // Five local moments: E[x], E[y], E[x^2], E[y^2], E[xy], each a separable Gaussian filter.
        double[][] rows = new double[5][h * ow];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < ow; x++) {
                double mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
                int base = off + y * w + x;
                for (int k = 0; k < WINDOW; k++) {
                    double g = GAUSSIAN[k];
                    double u = a[base + k];
                    double v = b[base + k];
                    mx += g * u;
                    my += g * v;
                    mxx += g * u * u;
                    myy += g * v * v;
                    mxy += g * u * v;
                }
                int o = y * ow + x;
                rows[0][o] = mx;
                rows[1][o] = my;
                rows[2][o] = mxx;
                rows[3][o] = myy;
                rows[4][o] = mxy;
            }
        }
        double sum = 0;
        double[] m = new double[5];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                Arrays.fill(m, 0);
                for (int k = 0; k < WINDOW; k++) {
                    double g = GAUSSIAN[k];
                    int o = (y + k) * ow + x;
                    for (int s = 0; s < 5; s++) {
                        m[s] += g * rows[s][o];
                    }
                }
                double mux = m[0];
                double muy = m[1];
                double varX = m[2] - mux * mux;
                double varY = m[3] - muy * muy;
                double cov = m[4] - mux * muy;
                sum += ((2 * mux * muy + C1) * (2 * cov + C2))
                        / ((mux * mux + muy * muy + C1) * (varX + varY + C2));
            }
        }
        return sum / ((double) oh * ow);
    }

    /** The normalised 1-D Gaussian (radius 5, sigma 1.5); the 2-D window is its outer product. */
    private static double[] gaussianWindow() {
        double[] g = new double[WINDOW];
        int r = WINDOW / 2;
        double total = 0;
        for (int i = 0; i < WINDOW; i++) {
            double x = i - r;
            g[i] = Math.exp(-x * x / (2 * SIGMA * SIGMA));
            total += g[i];
        }
        for (int i = 0; i < WINDOW; i++) {
            g[i] /= total;
        }
        return g;
    }

    private static void checkShapes(float[] a, float[] b, int n, int c, int h, int w) {
        long size = (long) n * c * h * w;
        if (n < 1 || c < 1 || h < 1 || w < 1) {
            throw new IllegalArgumentException("image shape must be positive, got " + n + "x" + c + "x" + h + "x" + w);
        }
        if (a.length != size || b.length != size) {
            throw new IllegalArgumentException("image arrays have " + a.length + " and " + b.length
                    + " values, expected n*c*h*w = " + size);
        }
    }
}
