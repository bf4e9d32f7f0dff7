package dev.gancompress.compress.lowrank;

import dev.gancompress.compress.CompressionProvider;
import dev.gancompress.compress.ShortForm;
import dev.gancompress.compress.Technique;

import java.util.List;
import java.util.Map;

/** The low-rank family: SVD and Tucker-2 factorisation of convolutions and linear layers. */
public final class LowRankTechniques implements CompressionProvider {
    @Override
    public String family() {
        return "lowrank";
    }

    @Override
    public List<Technique<?>> techniques() {
        return List.of(Technique.of(LowRankFactorization.NAME, LowRankConfig.class, LowRankFactorization::new));
    }

    @Override
    public List<ShortForm> shortForms() {
        return List.of(
                new ShortForm("lowrank", "energy", LowRankFactorization.NAME, "energy", Map.of(),
                        "per layer, the smallest rank keeping this fraction of the spectral energy"),
                new ShortForm("lowrank", "macs", LowRankFactorization.NAME, "macsBudget", Map.of(),
                        "ranks chosen so the model costs this fraction of its MACs"),
                new ShortForm("lowrank", "rank", LowRankFactorization.NAME, "rank", Map.of(),
                        "one fixed rank for every layer"));
    }
}
