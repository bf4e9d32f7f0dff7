package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ImageFidelityTest {
    private static final int N = 2;
    private static final int C = 3;
    private static final int H = 24;
    private static final int W = 20;

    private static float[] smoothImages(long seed) {
        Random r = new Random(seed);
        float[] img = new float[N * C * H * W];
        for (int p = 0; p < N * C; p++) {
            double fx = 0.2 + r.nextDouble() * 0.3;
            double fy = 0.1 + r.nextDouble() * 0.3;
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    img[(p * H + y) * W + x] = (float) (0.8 * Math.sin(fx * x) * Math.cos(fy * y));
                }
            }
        }
        return img;
    }

    private static float[] withNoise(float[] img, double sigma, long seed) {
        Random r = new Random(seed);
        float[] out = img.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.max(-1, Math.min(1, out[i] + sigma * r.nextGaussian()));
        }
        return out;
    }

    @Test
    void psnrOfIdenticalImagesIsInfinite() {
        float[] img = smoothImages(1);
        assertThat(ImageFidelity.psnr(img, img.clone(), N, C, H, W)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void psnrOfAKnownErrorIsTheKnownValue() {
        float[] a = new float[N * C * H * W];
        float[] b = new float[a.length];
        Arrays.fill(b, 0.5f);
        // MSE 0.25 with data range 2: 10 log10(4 / 0.25) = 10 log10(16).
        assertThat(ImageFidelity.psnr(a, b, N, C, H, W)).isCloseTo(10 * Math.log10(16), within(1e-12));
        // Per-image PSNR is averaged: MSE 0.25 and 0.0625 give 12.04 and 18.06 dB.
        int size = C * H * W;
        Arrays.fill(b, size, 2 * size, 0.25f);
        double expected = (10 * Math.log10(16) + 10 * Math.log10(64)) / 2;
        assertThat(ImageFidelity.psnr(a, b, N, C, H, W)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void ssimOfIdenticalImagesIsOne() {
        float[] img = smoothImages(2);
        assertThat(ImageFidelity.ssim(img, img.clone(), N, C, H, W)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void ssimOfConstantImagesIsTheLuminanceTerm() {
        // Zero variance everywhere leaves only (2 a b + C1) / (a^2 + b^2 + C1), C1 = (0.01 * 2)^2.
        float[] a = new float[N * C * H * W];
        float[] b = new float[a.length];
        Arrays.fill(a, 0.25f);
        Arrays.fill(b, -0.5f);
        double c1 = 0.02 * 0.02;
        double expected = (2 * 0.25 * -0.5 + c1) / (0.0625 + 0.25 + c1);
        assertThat(ImageFidelity.ssim(a, b, N, C, H, W)).isCloseTo(expected, within(1e-9));
    }

    @Test
    void ssimDecreasesWithNoise() {
        float[] img = smoothImages(3);
        double previous = 1.0;
        for (double sigma : new double[] {0.02, 0.1, 0.3, 0.6}) {
            double s = ImageFidelity.ssim(img, withNoise(img, sigma, 7), N, C, H, W);
            assertThat(s).isLessThan(previous);
            previous = s;
        }
        assertThat(previous).isLessThan(0.5);
    }

    @Test
    void separableFilteringEqualsTheDirect2dWindow() {
        float[] a = smoothImages(4);
        float[] b = withNoise(a, 0.2, 8);
        double direct = 0;
        double[] g = new double[11];
        double total = 0;
        for (int i = 0; i < 11; i++) {
            g[i] = Math.exp(-(i - 5) * (i - 5) / (2 * 1.5 * 1.5));
            total += g[i];
        }
        for (int i = 0; i < 11; i++) {
            g[i] /= total;
        }
        double c1 = 0.0004;
        double c2 = 0.0036;
        for (int p = 0; p < N * C; p++) {
            double sum = 0;
            for (int y = 0; y + 11 <= H; y++) {
                for (int x = 0; x + 11 <= W; x++) {
                    double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
                    for (int dy = 0; dy < 11; dy++) {
                        for (int dx = 0; dx < 11; dx++) {
                            double wgt = g[dy] * g[dx];
                            int i = (p * H + y + dy) * W + x + dx;
                            mx += wgt * a[i];
                            my += wgt * b[i];
                        }
                    }
                    for (int dy = 0; dy < 11; dy++) {
                        for (int dx = 0; dx < 11; dx++) {
                            double wgt = g[dy] * g[dx];
                            int i = (p * H + y + dy) * W + x + dx;
                            sxx += wgt * (a[i] - mx) * (a[i] - mx);
                            syy += wgt * (b[i] - my) * (b[i] - my);
                            sxy += wgt * (a[i] - mx) * (b[i] - my);
                        }
                    }
                    sum += (2 * mx * my + c1) * (2 * sxy + c2) / ((mx * mx + my * my + c1) * (sxx + syy + c2));
                }
            }
            direct += sum / ((H - 10) * (W - 10));
        }
        direct /= N * C;
        assertThat(ImageFidelity.ssim(a, b, N, C, H, W)).isCloseTo(direct, within(1e-9));
    }

    @Test
    void imagesSmallerThanTheWindowAreAnInputError() {
        float[] tiny = new float[8 * 8];
        assertThatThrownBy(() -> ImageFidelity.ssim(tiny, tiny, 1, 1, 8, 8))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("8 x 8");
    }
}
