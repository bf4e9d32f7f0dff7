package dev.gancompress.nn;

import java.util.List;

/**
 * Adam (Kingma and Ba 2015) with bias correction. GAN defaults follow DCGAN (Radford et al. 2016):
 * lr 2e-4, beta1 0.5, beta2 0.999. Pruning masks are re-applied after every update, so masked weights stay
 * exactly zero during fine-tuning whatever their gradient.
 */
public final class Adam {
    /** Validated hyperparameters. */
    public record Settings(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
        public Settings {
            if (!(learningRate > 0) || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || !(epsilon > 0)
                    || weightDecay < 0) {
                throw new IllegalArgumentException("Adam needs lr > 0, betas in [0, 1), eps > 0, weight decay >= 0");
            }
        }

        public static Settings gan(double learningRate) {
            return new Settings(learningRate, 0.5, 0.999, 1e-8, 0);
        }
    }

    private final List<Parameter> parameters;
    private final Settings settings;
    private final float[][] m;
    private final float[][] v;
    private long step;

    public Adam(List<Parameter> parameters, Settings settings) {
        this.parameters = List.copyOf(parameters);
        this.settings = settings;
        this.m = new float[parameters.size()][];
        this.v = new float[parameters.size()][];
        for (int i = 0; i < parameters.size(); i++) {
            m[i] = new float[parameters.get(i).grad().length];
            v[i] = new float[parameters.get(i).grad().length];
        }
    }

    public Settings settings() {
        return settings;
    }

    public long stepCount() {
        return step;
    }

    public void step(double learningRate) {
        step++;
        double b1 = settings.beta1();
        double b2 = settings.beta2();
        double corr1 = 1 - Math.pow(b1, step);
        double corr2 = 1 - Math.pow(b2, step);
        float stepSize = (float) (learningRate * Math.sqrt(corr2) / corr1);
        float epsHat = (float) (settings.epsilon() * Math.sqrt(corr2));
        float fb1 = (float) b1;
        float fb2 = (float) b2;
        float decay = (float) settings.weightDecay();
        for (int p = 0; p < parameters.size(); p++) {
            Parameter param = parameters.get(p);
            float[] w = param.weights().data();
            float[] g = param.grad();
            float[] mp = m[p];
            float[] vp = v[p];
            float[] mask = param.weights().mask();
            Parallel.forRange(w.length, 8192, (s, e) -> {
                for (int i = s; i < e; i++) {
                    float gi = g[i] + decay * w[i];
                    mp[i] = fb1 * mp[i] + (1 - fb1) * gi;
                    vp[i] = fb2 * vp[i] + (1 - fb2) * gi * gi;
                    w[i] -= stepSize * mp[i] / ((float) Math.sqrt(vp[i]) + epsHat);
                    if (mask != null && mask[i] == 0f) {
                        w[i] = 0f;
                    }
                }
            });
        }
    }

    public void update() {
        step(settings.learningRate());
    }

    /** Moment buffers in parameter order, for checkpoints. */
    public float[][] firstMoments() {
        return m;
    }

    public float[][] secondMoments() {
        return v;
    }

    public void restore(long restoredStep, float[][] first, float[][] second) {
        if (first.length != m.length || second.length != v.length) {
            throw new IllegalArgumentException("optimizer state has " + first.length + " tensors, expected " + m.length);
        }
        for (int i = 0; i < m.length; i++) {
            if (first[i].length != m[i].length || second[i].length != v[i].length) {
                throw new IllegalArgumentException("optimizer state tensor " + i + " has the wrong size");
            }
            System.arraycopy(first[i], 0, m[i], 0, m[i].length);
            System.arraycopy(second[i], 0, v[i], 0, v[i].length);
        }
        this.step = restoredStep;
    }
}
