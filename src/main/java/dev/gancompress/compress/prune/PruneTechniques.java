package dev.gancompress.compress.prune;

import dev.gancompress.compress.CompressionProvider;
import dev.gancompress.compress.ShortForm;
import dev.gancompress.compress.Technique;

import java.util.List;
import java.util.Map;

/** The pruning family: unstructured magnitude pruning, structured channel pruning, network slimming. */
public final class PruneTechniques implements CompressionProvider {
    @Override
    public String family() {
        return "prune";
    }

    @Override
    public List<Technique<?>> techniques() {
        return List.of(Technique.of(MagnitudePruning.NAME, MagnitudePruning.Config.class, MagnitudePruning::new),
                Technique.of(ChannelPruning.NAME, ChannelPruning.Config.class, ChannelPruning::new),
                Technique.of(NetworkSlimming.NAME, NetworkSlimming.Config.class, NetworkSlimming::new));
    }

    @Override
    public List<ShortForm> shortForms() {
        return List.of(
                new ShortForm("prune", "channel", ChannelPruning.NAME, "ratio", Map.of(),
                        "remove this fraction of every layer's channels, ranked by filter L1 norm"),
                new ShortForm("prune", "bn", ChannelPruning.NAME, "ratio", Map.of("criterion", "BN_SCALE"),
                        "remove this fraction of channels, ranked by |BatchNorm scale| (after prune:slim)"),
                new ShortForm("prune", "magnitude", MagnitudePruning.NAME, "sparsity", Map.of(),
                        "zero this fraction of all conv/linear weights (one global threshold)"),
                new ShortForm("prune", "slim", NetworkSlimming.NAME, "lambda", Map.of(),
                        "network slimming: L1 pull of BatchNorm scales towards 0 during the stage's fine-tune"));
    }
}
