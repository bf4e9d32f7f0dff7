package dev.gancompress.compress.lowrank;

import java.util.List;
import java.util.Locale;

/**
 * What the low-rank pass did with one layer, for reports: the chain it chose, the ranks per mode (r, or r_in and
 * r_out), the energy they keep, and the MACs before and after. A layer whose factorisation would not reduce its MACs
 * is kept ({@code applied} false) unless the configuration forces it; {@code reason} says why, with the MACs the
 * chain would have cost. {@code macsAfter} is the layer's cost after the pass: the chain's if applied, else unchanged.
 */
public record LayerDecision(String layer, String op, String decomposition, List<String> modes, List<Integer> ranks,
                            List<Integer> fullRanks, List<Double> retainedEnergy, long macsBefore, long macsAfter,
                            boolean applied, String reason) {
    public LayerDecision {
        modes = List.copyOf(modes);
        ranks = List.copyOf(ranks);
        fullRanks = List.copyOf(fullRanks);
        retainedEnergy = List.copyOf(retainedEnergy);
    }

    /** One line: "up1 (ConvT 4x4 192->96) -> Conv 1x1 192->r, ConvT 4x4 r->96: r=40/192 energy 0.951, MACs ...". */
    public String summary() {
        StringBuilder b = new StringBuilder(layer).append(" (").append(op).append(") -> ").append(decomposition)
                .append(':');
        for (int i = 0; i < ranks.size(); i++) {
            b.append(String.format(Locale.ROOT, " %s=%d/%d energy %.4f", modes.get(i), ranks.get(i),
                    fullRanks.get(i), retainedEnergy.get(i)));
        }
        b.append(String.format(Locale.ROOT, ", MACs %,d -> %,d", macsBefore, macsAfter));
        return b.append(applied ? "" : "; kept: " + reason).toString();
    }
}
