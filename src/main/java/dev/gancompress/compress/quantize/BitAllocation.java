package dev.gancompress.compress.quantize;

import dev.gancompress.GanCompressException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Bits per layer under a weight-byte budget, from a {@link LayerSensitivity} scan: minimises the sum of the
 * layers' output MSEs subject to the stored bytes fitting the budget, a multiple-choice knapsack solved exactly.
 *
 * <p>Why the sum of MSEs: quantisation noise of different layers is nearly independent, so to first order the
 * output errors add in MSE (not in PSNR, which is its logarithm); this is the additivity assumption of HAWQ-style
 * allocations (Dong et al. 2019, 2020). Why exact rather than greedy by error per saved byte: with a handful of
 * widths per layer and tens of layers, the Pareto frontier of (bytes, error) over the layers taken so far stays
 * small (each step keeps only the assignments no other beats in both), so the exact answer costs microseconds,
 * while the greedy can stop at a poor corner when one step saves more bytes than the budget needed.
 */
final class BitAllocation {
    /** One assignment: the candidate index per layer, its total stored bytes and its summed MSE. */
    record Choice(int[] candidate, long bytes, double mse) {
    }

    private BitAllocation() {
    }

    /** The lowest-error assignment whose total weight bytes are at most {@code budget} x the fp32 bytes. */
    static Choice choose(LayerSensitivity s, double budget) {
        long limit = (long) Math.floor(budget * s.fp32Bytes());
        long smallest = s.otherBytes();
        int[] cheapest = new int[s.layers().size()];
        for (int l = 0; l < cheapest.length; l++) {
            long[] bytes = s.bytes()[l];
            for (int b = 1; b < bytes.length; b++) {
                if (bytes[b] < bytes[cheapest[l]]) {
                    cheapest[l] = b;
                }
            }
            smallest += bytes[cheapest[l]];
        }
        if (smallest > limit) {
            throw new GanCompressException(String.format(Locale.ROOT, "mixed-precision configuration: field "
                            + "'budget' %s is below the smallest size the candidate bits %s reach, %.4f of the fp32 "
                            + "weight bytes (%,d of %,d bytes, every scanned layer at its smallest width; the other "
                            + "tensors stay as they are): raise the budget or add a smaller width",
                    budget, s.bits(), (double) smallest / s.fp32Bytes(), smallest, s.fp32Bytes()));
        }
        List<Choice> frontier = List.of(new Choice(new int[0], s.otherBytes(), 0));
        for (int l = 0; l < s.layers().size(); l++) {
            List<Choice> next = new ArrayList<>();
            for (Choice c : frontier) {
                for (int b = 0; b < s.bits().size(); b++) {
                    long bytes = c.bytes() + s.bytes()[l][b];
                    if (bytes <= limit) {
                        int[] candidate = java.util.Arrays.copyOf(c.candidate(), l + 1);
                        candidate[l] = b;
                        next.add(new Choice(candidate, bytes, c.mse() + s.mse()[l][b]));
                    }
                }
            }
            frontier = paretoFront(next);
        }
        return frontier.get(frontier.size() - 1);
    }

    /**
     * The assignments no other beats in both bytes and error, by increasing bytes (so decreasing error); ties are
     * broken by the candidate indices so the result does not depend on the order of evaluation.
     */
    private static List<Choice> paretoFront(List<Choice> all) {
        all.sort(Comparator.comparingLong(Choice::bytes).thenComparingDouble(Choice::mse)
                .thenComparing(Choice::candidate, java.util.Arrays::compare));
        List<Choice> front = new ArrayList<>();
        for (Choice c : all) {
            if (front.isEmpty() || c.mse() < front.get(front.size() - 1).mse()) {
                front.add(c);
            }
        }
        return front;
    }
}
