package dev.gancompress.compress.prune;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bookkeeping of mask-based (unstructured) pruning, after torch.ao's BaseSparsifier: which tensors are
 * candidates, how many weights a sparsity level removes per layer or model-wide, and attaching the 0/1 masks
 * that the optimiser re-applies after every step. Subclasses fill only {@link #score}: the importance of each
 * weight (magnitude, movement, ...). Only the weight tensors of Conv2d, ConvTranspose2d and Linear are
 * candidates; biases and normalisation parameters are few and sensitive, so they are never masked.
 */
public abstract class UnstructuredPruning implements Compression {
    /** One weight tensor under pruning, named by its node. */
    public record Target(String layer, Weights weights) {
    }

    /**
     * Writes the importance of each weight of {@code weights} into {@code scores}; the lowest are pruned first.
     * Masked weights are exactly zero, so a score that is small at zero keeps pruned weights pruned.
     */
    protected abstract void score(String layer, Weights weights, float[] scores);

    /** Whether a node's weight may be pruned. */
    public static boolean isCandidate(Node node) {
        return node.layer() instanceof Conv2d || node.layer() instanceof ConvTranspose2d
                || node.layer() instanceof Linear;
    }

    /** The weight tensors of {@code layers} in {@code model} (all candidates if the list is empty), in graph order. */
    public static List<Target> targets(Model model, List<String> layers) {
        Map<String, Target> all = new LinkedHashMap<>();
        for (Node n : model.nodes()) {
            if (isCandidate(n)) {
                all.put(n.name(), new Target(n.name(), n.layer().weights().get(0).weights()));
            }
        }
        if (layers.isEmpty()) {
            return List.copyOf(all.values());
        }
        List<Target> chosen = new ArrayList<>();
        for (Node n : model.nodes()) {
            if (layers.contains(n.name()) && all.containsKey(n.name())) {
                chosen.add(all.get(n.name()));
            }
        }
        for (String layer : layers) {
            if (!all.containsKey(layer)) {
                throw new GanCompressException("pruning config field 'layers': '" + layer + "' is not a Conv2d, "
                        + "ConvTranspose2d or Linear node of model " + model.name() + "; candidates: "
                        + String.join(", ", all.keySet()));
            }
        }
        return chosen;
    }

    /** Zero counts of the candidate weights of a model, per layer. */
    public static List<LayerSparsity> sparsity(Model model) {
        List<LayerSparsity> list = new ArrayList<>();
        for (Target t : targets(model, List.of())) {
            long size = t.weights().size();
            list.add(new LayerSparsity(t.layer(), size, size - t.weights().nonZeroCount()));
        }
        return list;
    }

    /**
     * Masks the lowest-scoring weights so that exactly round(sparsity * n) of each layer's n weights (PER_LAYER)
     * or of all N candidate weights (GLOBAL) are pruned: the reached sparsity is the target within half a weight
     * per pool. Ties at the threshold are broken by position, so the count is exact and deterministic.
     */
    public final void prune(List<Target> targets, double sparsity, PruningScope scope) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new GanCompressException("sparsity must be in [0, 1), got " + sparsity);
        }
        if (scope == PruningScope.PER_LAYER) {
            for (Target t : targets) {
                pruneTogether(List.of(t), sparsity);
            }
        } else {
            pruneTogether(targets, sparsity);
        }
    }

    private void pruneTogether(List<Target> pool, double sparsity) {
        int total = 0;
        for (Target t : pool) {
            total = Math.addExact(total, t.weights().size());
        }
        float[] scores = new float[total];
        int offset = 0;
        for (Target t : pool) {
            float[] s = new float[t.weights().size()];
            score(t.layer(), t.weights(), s);
            System.arraycopy(s, 0, scores, offset, s.length);
            offset += s.length;
        }
        int prune = (int) Math.round(sparsity * total);
        boolean[] pruned = lowest(scores, prune);
        offset = 0;
        for (Target t : pool) {
            float[] mask = new float[t.weights().size()];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = pruned[offset + i] ? 0f : 1f;
            }
            t.weights().setMask(mask);
            offset += mask.length;
        }
    }

    /** Flags exactly {@code count} entries with the lowest scores, the earliest first among equal scores. */
    static boolean[] lowest(float[] scores, int count) {
        boolean[] flags = new boolean[scores.length];
        if (count == 0) {
            return flags;
        }
        float[] sorted = scores.clone();
        Arrays.sort(sorted);
        float threshold = sorted[count - 1];
        int taken = 0;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] < threshold) {
                flags[i] = true;
                taken++;
            }
        }
        for (int i = 0; i < scores.length && taken < count; i++) {
            if (scores[i] == threshold) {
                flags[i] = true;
                taken++;
            }
        }
        return flags;
    }
}
