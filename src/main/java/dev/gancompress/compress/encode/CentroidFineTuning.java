package dev.gancompress.compress.encode;

import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;
import dev.gancompress.train.StepResult;
import dev.gancompress.train.TrainingHook;

import java.util.Arrays;
import java.util.List;

/**
 * Centroid fine-tuning of shared weights (Han, Mao and Dally 2016, section 3.1, Figure 3): the gradients of all
 * weights that share a centroid are summed into it. The engine already trains through a codebook with the
 * straight-through estimator, each weight's master value taking its own optimiser step; after every step this hook
 * moves each centroid by the sum of its weights' steps (with plain SGD that is exactly -lr x the summed gradient;
 * with Adam, the sum of the per-weight Adam steps), then puts every weight back on its centroid. Assignments are
 * fixed when the run starts, as in the paper; a centroid of a pruned layer's exact zero stays 0. Centroids that
 * meet are merged, so the codebook stays strictly ascending.
 *
 * <p>Resume: the assignments are re-derived from the restored weights, which sit on their centroids, so a resumed
 * run continues with the same assignments.
 */
final class CentroidFineTuning implements TrainingHook {
    private final List<Weights> shared;
    private int[][] assignments;

    CentroidFineTuning(List<Weights> shared) {
        this.shared = List.copyOf(shared);
    }

    @Override
    public void onStart(long firstStep, long totalSteps) {
        assignments = new int[shared.size()][];
        for (int t = 0; t < shared.size(); t++) {
            Weights w = shared.get(t);
            assignments[t] = w.storage() instanceof WeightStorage.Codebook ? w.codes() : null;
        }
    }

    @Override
    public void onStep(StepResult result) {
        if (assignments == null) {
            onStart(0, 0);
        }
        for (int t = 0; t < shared.size(); t++) {
            if (assignments[t] != null && shared.get(t).storage() instanceof WeightStorage.Codebook codebook) {
                assignments[t] = update(shared.get(t), codebook, assignments[t]);
            }
        }
    }

    /** One centroid update of {@code w}; returns the (possibly renumbered) assignments. */
    static int[] update(Weights w, WeightStorage.Codebook codebook, int[] codes) {
        float[] data = w.data();
        float[] mask = w.mask();
        int k = codebook.size();
        double[] sum = new double[k];
        for (int i = 0; i < data.length; i++) {
            if (mask == null || mask[i] != 0f) {
                sum[codes[i]] += (double) data[i] - codebook.centroid(codes[i]);
            }
        }
        int zero = mask == null ? -1 : codebook.zeroIndex();
        double[] next = new double[k];
        for (int c = 0; c < k; c++) {
            next[c] = c == zero ? 0 : codebook.centroid(c) + sum[c];
        }
        float[] centroids = KMeans1d.toFloats(next);
        int[] renumber = new int[k];
        for (int c = 0; c < k; c++) {
            float v = (float) next[c] == 0f ? 0f : (float) next[c];
            renumber[c] = Arrays.binarySearch(centroids, v);
        }
        int[] out = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = renumber[codes[i]];
            data[i] = mask != null && mask[i] == 0f ? 0f : centroids[out[i]];
        }
        w.setStorage(new WeightStorage.Codebook(centroids));
        return out;
    }
}
