package dev.gancompress.compress.lowrank;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.lowrank.LayerCandidate.Factored;
import dev.gancompress.model.Model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The ranks of every layer, by one of the three rules of {@link LowRankConfig} (energy, fixed rank, MACs budget),
 * and the refusal of ranks that do not pay. By Eckart-Young the squared Frobenius error of the best rank-r
 * approximation is the sum of the dropped squared singular values, so "retained energy" is exactly 1 - relative
 * squared weight error: one threshold means the same weight fidelity in every layer, whatever its size, which is
 * why a MACs budget is met by bisecting one shared threshold rather than by cutting the largest layers first.
 */
final class RankSelection {
    private final LowRankConfig config;

    RankSelection(LowRankConfig config) {
        this.config = config;
    }

    /** The smallest r >= 1 whose top-r squared singular values sum to at least {@code energy} of the total. */
    static int forEnergy(double[] s, double energy) {
        double total = 0;
        for (double v : s) {
            total += v * v;
        }
        double target = energy * total;
        double sum = 0;
        for (int r = 1; r <= s.length; r++) {
            sum += s[r - 1] * s[r - 1];
            if (sum >= target) {
                return r;
            }
        }
        return s.length;
    }

    /** The fraction of the squared singular values that the top {@code r} hold (1 for an all-zero spectrum). */
    static double retained(double[] s, int r) {
        double total = 0;
        double kept = 0;
        for (int i = 0; i < s.length; i++) {
            total += s[i] * s[i];
            if (i < r) {
                kept += s[i] * s[i];
            }
        }
        return total == 0 ? 1 : kept / total;
    }

    /** What shapes alone can refuse: a fixed rank above a full rank or costing MACs, an unreachable budget. */
    void checkBeforeFactoring(Model model, List<LayerCandidate> candidates) {
        if (config.rank() != null) {
            candidates.forEach(this::checkFixedRank);
        } else if (config.macsBudget() != null) {
            checkBudgetReachable(model, candidates);
        }
    }

    private void checkFixedRank(LayerCandidate c) {
        int r = config.rank();
        int[] full = c.decomposition().fullRanks();
        for (int i = 0; i < full.length; i++) {
            if (r > full[i]) {
                throw new GanCompressException("low-rank configuration: field 'rank' " + r + " exceeds the full rank "
                        + full[i] + " of " + c.decomposition().modes().get(i) + " in layer '" + c.node().name() + "' ("
                        + c.op() + "); use a rank <= " + Arrays.stream(full).min().orElse(0)
                        + (config.layers().isEmpty() ? " or name the layers to factorise in 'layers'" : ""));
            }
        }
        long after = c.decomposition().macs(fill(full.length, r));
        if (after >= c.macsBefore() && !config.force()) {
            throw new GanCompressException(String.format(Locale.ROOT, "low-rank: rank %d would not reduce the MACs "
                            + "of layer '%s' (%s): %,d factorised vs %,d now; use a smaller rank, leave the layer out "
                            + "of 'layers', or set force to factorise anyway", r, c.node().name(), c.op(), after,
                    c.macsBefore()));
        }
    }

    /** Rank 1 in every layer is the cheapest a budget can get. */
    private void checkBudgetReachable(Model model, List<LayerCandidate> candidates) {
        long total = model.macs();
        long cheapest = total;
        for (LayerCandidate c : candidates) {
            long after = c.decomposition().macs(fill(c.decomposition().modes().size(), 1));
            cheapest -= config.force() ? c.macsBefore() - after : Math.max(0, c.macsBefore() - after);
        }
        if (cheapest > config.macsBudget() * total) {
            throw new GanCompressException(String.format(Locale.ROOT, "low-rank configuration: field 'macsBudget' "
                            + "%s asks for %,.0f MACs, but even rank 1 in every selected layer leaves %,d of %,d "
                            + "(%.3f); use a macsBudget >= %.3f or select more layers", config.macsBudget(),
                    config.macsBudget() * total, cheapest, total, (double) cheapest / total,
                    Math.ceil(1000.0 * cheapest / total) / 1000));
        }
    }

    /** The energy threshold to use: the configured one, the bisected one for a budget, NaN for a fixed rank. */
    double energy(Model model, List<Factored> factored) {
        if (config.rank() != null) {
            return Double.NaN;
        }
        return config.energy() != null ? config.energy() : energyForBudget(model, factored);
    }

    /**
     * The highest threshold whose factorised model fits the budget. Model MACs never fall as the threshold rises
     * (ranks only grow, and a refused layer costs what it did), so bisection finds it.
     */
    private double energyForBudget(Model model, List<Factored> factored) {
        double target = config.macsBudget() * model.macs();
        if (macsAt(model, factored, 1.0) <= target) {
            return 1.0;
        }
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 50; i++) {
            double mid = (lo + hi) / 2;
            if (macsAt(model, factored, mid) <= target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private long macsAt(Model model, List<Factored> factored, double energy) {
        long total = model.macs();
        for (Factored f : factored) {
            LayerDecision d = decide(f, energy);
            total += d.macsAfter() - d.macsBefore();
        }
        return total;
    }

    /** The layer's ranks at {@code energy} (or the fixed rank), and whether they pay. */
    LayerDecision decide(Factored f, double energy) {
        LayerCandidate c = f.candidate();
        LayerDecomposition d = c.decomposition();
        List<double[]> spectra = f.factors().spectra();
        int[] ranks = new int[spectra.size()];
        List<Double> kept = new ArrayList<>();
        for (int i = 0; i < ranks.length; i++) {
            ranks[i] = config.rank() != null ? config.rank() : forEnergy(spectra.get(i), energy);
            kept.add(retained(spectra.get(i), ranks[i]));
        }
        long factorised = d.macs(ranks);
        boolean applied = factorised < c.macsBefore() || config.force();
        String reason = applied ? "" : String.format(Locale.ROOT, "the factorised chain would cost %,d MACs, not "
                + "fewer than the layer's %,d (force factorises anyway)", factorised, c.macsBefore());
        return new LayerDecision(c.node().name(), c.op(), d.describe(), d.modes(),
                Arrays.stream(ranks).boxed().toList(), Arrays.stream(d.fullRanks()).boxed().toList(), kept,
                c.macsBefore(), applied ? factorised : c.macsBefore(), applied, reason);
    }

    private static int[] fill(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }
}
