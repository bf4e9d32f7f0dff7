package dev.gancompress.compress.lowrank;

import dev.gancompress.compress.ConfigFields;

import java.util.List;

/**
 * Validated settings of {@link LowRankFactorization}; round-trips to JSON. A missing (null) field takes its default.
 * Exactly one of {@code energy}, {@code rank} and {@code macsBudget} chooses the ranks; with none, energy 0.95.
 *
 * @param method     how a convolution is factorised: "svd-channel" (default; the layer's own kernel on one side of r
 *                   channels and a 1x1 conv on the other, in the order that costs fewer MACs), "spatial" (k x 1 then
 *                   1 x k, Jaderberg et al. 2014) or "tucker2" (1x1, k x k core, 1x1, Kim et al. 2016). Linear layers
 *                   always take the truncated SVD, the matrix case of all three
 * @param energy     per layer (and per mode for tucker2), the smallest rank whose squared singular values keep this
 *                   fraction of the total, in (0, 1]
 * @param rank       one fixed rank for every selected layer (both modes for tucker2), >= 1 and at most each
 *                   layer's full rank
 * @param macsBudget fraction of the model's MACs the factorised model may cost, in (0, 1]; the ranks come from one
 *                   energy threshold shared by all selected layers, the highest that meets the budget
 * @param layers     node names of the Linear, Conv2d and ConvTranspose2d layers to factorise (default: all of them)
 * @param force      factorise even where the rank does not reduce the layer's MACs (default false: such layers
 *                   are kept as they are, or, for an explicit rank, refused with an error)
 */
public record LowRankConfig(String method, Double energy, Integer rank, Double macsBudget, List<String> layers,
                            Boolean force) {
    public static final String SVD_CHANNEL = "svd-channel";
    public static final String SPATIAL = "spatial";
    public static final String TUCKER2 = "tucker2";
    public static final List<String> METHODS = List.of(SVD_CHANNEL, SPATIAL, TUCKER2);
    public static final double DEFAULT_ENERGY = 0.95;

    public LowRankConfig {
        method = method == null ? SVD_CHANNEL : method;
        require(METHODS.contains(method), "method", "one of " + String.join(", ", METHODS), quoted(method));
        int given = (energy == null ? 0 : 1) + (rank == null ? 0 : 1) + (macsBudget == null ? 0 : 1);
        require(given <= 1, "energy/rank/macsBudget", "given one at a time (they are three ways to choose the "
                + "ranks)", "energy=" + energy + ", rank=" + rank + ", macsBudget=" + macsBudget);
        if (given == 0) {
            energy = DEFAULT_ENERGY;
        }
        require(energy == null || (energy > 0 && energy <= 1), "energy", "a number in (0, 1]", energy);
        require(rank == null || rank >= 1, "rank", "an integer >= 1", rank);
        require(macsBudget == null || (macsBudget > 0 && macsBudget <= 1), "macsBudget", "a number in (0, 1]",
                macsBudget);
        layers = ConfigFields.layerNames(layers, "low-rank");
        force = force != null && force;
    }

    public static LowRankConfig ofEnergy(String method, double energy) {
        return new LowRankConfig(method, energy, null, null, null, null);
    }

    public static LowRankConfig ofRank(String method, int rank, List<String> layers) {
        return new LowRankConfig(method, null, rank, null, layers, null);
    }

    public static LowRankConfig ofMacsBudget(String method, double macsBudget) {
        return new LowRankConfig(method, null, null, macsBudget, null, null);
    }

    public LowRankConfig withForce(boolean newForce) {
        return new LowRankConfig(method, energy, rank, macsBudget, layers, newForce);
    }

    private static String quoted(String s) {
        return "'" + s + "'";
    }

    private static void require(boolean ok, String field, String expected, Object got) {
        ConfigFields.require(ok, "low-rank", field, expected, got);
    }
}
