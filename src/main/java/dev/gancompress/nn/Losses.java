package dev.gancompress.nn;

/**
 * Scalar losses averaged over all elements, each writing dLoss/dInput into a caller-owned gradient array
 * (scaled by {@code weight}, added when {@code accumulate}). Sums are in double; the logistic forms use the
 * stable log(1 + exp(-|x|)) expansion so large logits neither overflow nor lose the gradient.
 */
public final class Losses {
    private Losses() {
    }

    /** Binary cross-entropy with logits against a constant target in [0, 1]. */
    public static double bceWithLogits(float[] logits, float target, float[] grad, float weight, boolean accumulate) {
        int n = logits.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double x = logits[i];
            sum += Math.max(x, 0) - x * target + Math.log1p(Math.exp(-Math.abs(x)));
            if (grad != null) {
                double sig = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
                float g = (float) (weight * (sig - target) / n);
                grad[i] = accumulate ? grad[i] + g : g;
            }
        }
        return sum / n;
    }

    /** Hinge loss of the discriminator: mean(relu(1 - x)) for real (sign +1), mean(relu(1 + x)) for fake (-1). */
    public static double hingeDiscriminator(float[] logits, int sign, float[] grad, float weight, boolean accumulate) {
        int n = logits.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double margin = 1 - sign * logits[i];
            float g = 0f;
            if (margin > 0) {
                sum += margin;
                g = (float) (-sign * weight / n);
            }
            if (grad != null) {
                grad[i] = accumulate ? grad[i] + g : g;
            }
        }
        return sum / n;
    }

    /** Hinge loss of the generator: -mean(x). */
    public static double hingeGenerator(float[] logits, float[] grad, float weight, boolean accumulate) {
        int n = logits.length;
        double sum = 0;
        float g = -weight / n;
        for (int i = 0; i < n; i++) {
            sum -= logits[i];
            if (grad != null) {
                grad[i] = accumulate ? grad[i] + g : g;
            }
        }
        return sum / n;
    }

    /** Mean absolute error; the subgradient at 0 is 0. */
    public static double l1(float[] x, float[] target, float[] grad, float weight, boolean accumulate) {
        int n = x.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = x[i] - target[i];
            sum += Math.abs(d);
            if (grad != null) {
                float g = (float) (weight * Math.signum(d) / n);
                grad[i] = accumulate ? grad[i] + g : g;
            }
        }
        return sum / n;
    }

    /** Mean squared error. */
    public static double l2(float[] x, float[] target, float[] grad, float weight, boolean accumulate) {
        int n = x.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = x[i] - target[i];
            sum += d * d;
            if (grad != null) {
                float g = (float) (weight * 2 * d / n);
                grad[i] = accumulate ? grad[i] + g : g;
            }
        }
        return sum / n;
    }

    /** Softmax cross-entropy over rows of [n, classes] logits against integer labels (for the evaluator). */
    public static double softmaxCrossEntropy(float[] logits, int classes, int[] labels, float[] grad) {
        int n = labels.length;
        double sum = 0;
        for (int r = 0; r < n; r++) {
            int base = r * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[base + c]);
            }
            double z = 0;
            for (int c = 0; c < classes; c++) {
                z += Math.exp(logits[base + c] - max);
            }
            double logZ = max + Math.log(z);
            sum += logZ - logits[base + labels[r]];
            if (grad != null) {
                for (int c = 0; c < classes; c++) {
                    double p = Math.exp(logits[base + c] - logZ);
                    grad[base + c] = (float) ((p - (c == labels[r] ? 1 : 0)) / n);
                }
            }
        }
        return sum / n;
    }
}
