package dev.gancompress.metrics;

import dev.gancompress.data.FashionMnist;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Parallel;

import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Sanity of the metrics on real data, the check that an evaluator's features behave like a distance between
 * image distributions: real vs real (test set vs a training subset) must be small, and FID/KID must grow,
 * precision and recall fall, as the training images are degraded by more Gaussian noise or more blur.
 * Reproduce the README numbers with
 * {@code ./gancompress metrics-sanity --evaluator models/evaluator-fashion.onnx}.
 */
public final class MetricsSanity {
    private MetricsSanity() {
    }

    /** Prints the sanity table for {@code count} images of each set; {@code dataDir} may be null (the default). */
    public static void run(Path evaluatorFile, int count, Path dataDir, java.io.PrintStream out) {
        DomainEvaluator evaluator = DomainEvaluator.load(evaluatorFile);
        ImageDataset test = FashionMnist.test(dataDir);
        ImageDataset train = FashionMnist.train(dataDir);
        DomainEvaluator.FeatureSet real = evaluator.embed(test, Math.min(count, test.size()), 250, null);
        GaussianStats realStats = GaussianStats.of(real.features(), real.count(), real.dimension());
        float[] trainImages = images(train, count);
        out.printf(Locale.ROOT, "reference: %s, first %d images; evaluator %s (layer %s)%n",
                test.description(), real.count(), evaluator.source(), evaluator.featureLayer());
        out.printf(Locale.ROOT, "%-34s %10s %18s %10s %8s%n", "compared set", "FID", "KID x 1e3", "precision",
                "recall");
        report(out, "train (first " + count + ")", trainImages, count, evaluator, real, realStats);
        for (double sigma : new double[] {0.1, 0.2, 0.4}) {
            report(out, "train + N(0, " + sigma + ") noise", noisy(trainImages, sigma, 1), count, evaluator, real,
                    realStats);
        }
        for (double sigma : new double[] {0.5, 1.0, 1.5}) {
            report(out, "train, Gaussian blur sigma " + sigma, blurred(trainImages, count, train.height(), train.width(),
                    sigma), count, evaluator, real, realStats);
        }
    }

    private static void report(java.io.PrintStream out, String name, float[] images, int n, DomainEvaluator evaluator,
                               DomainEvaluator.FeatureSet real, GaussianStats realStats) {
        DomainEvaluator.FeatureSet f = evaluator.embed(images, n, 250, null);
        int d = f.dimension();
        double fid = FrechetDistance.between(realStats, GaussianStats.of(f.features(), n, d));
        KernelDistance.Result kid = KernelDistance.between(real.features(), real.count(), f.features(), n, d,
                KernelDistance.DEFAULT_SUBSETS, KernelDistance.DEFAULT_SUBSET_SIZE, 1);
        PrecisionRecall.Result pr = PrecisionRecall.between(real.features(), real.count(), f.features(), n, d,
                PrecisionRecall.DEFAULT_K);
        out.printf(Locale.ROOT, "%-34s %10.3f %10.3f +- %5.3f %10.4f %8.4f%n", name, fid, kid.mean() * 1e3,
                kid.std() * 1e3, pr.precision(), pr.recall());
    }

    static float[] images(ImageDataset ds, int n) {
        int size = ds.imageSize();
        float[] out = new float[n * size];
        Parallel.forRange(n, 64, (s, e) -> {
            for (int i = s; i < e; i++) {
                ds.copyImage(i, out, i * size);
            }
        });
        return out;
    }

    /** Adds N(0, sigma^2) noise (pixels in [-1, 1]) and clips back to [-1, 1]. */
    static float[] noisy(float[] images, double sigma, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] out = new float[images.length];
        for (int i = 0; i < images.length; i++) {
            out[i] = (float) Math.max(-1, Math.min(1, images[i] + sigma * Initializer.gaussian(rnd)));
        }
        return out;
    }

    /** Separable Gaussian blur of single-channel images, radius ceil(3 sigma), edges clamped. */
    static float[] blurred(float[] images, int n, int h, int w, double sigma) {
        int r = (int) Math.ceil(3 * sigma);
        double[] g = new double[2 * r + 1];
        double total = 0;
        for (int i = -r; i <= r; i++) {
            g[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
            total += g[i + r];
        }
        for (int i = 0; i < g.length; i++) {
            g[i] /= total;
        }
        float[] out = new float[images.length];
        Parallel.forRange(n, 64, (s, e) -> {
            double[] tmp = new double[h * w];
            for (int img = s; img < e; img++) {
                int off = img * h * w;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double acc = 0;
                        for (int k = -r; k <= r; k++) {
                            acc += g[k + r] * images[off + y * w + Math.max(0, Math.min(w - 1, x + k))];
                        }
                        tmp[y * w + x] = acc;
                    }
                }
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double acc = 0;
                        for (int k = -r; k <= r; k++) {
                            acc += g[k + r] * tmp[Math.max(0, Math.min(h - 1, y + k)) * w + x];
                        }
                        out[off + y * w + x] = (float) acc;
                    }
                }
            }
        });
        return out;
    }
}
