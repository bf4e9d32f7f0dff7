package dev.gancompress.compress.lowrank;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.lowrank.LayerCandidate.Factored;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Low-rank factorisation: replaces each selected Linear, Conv2d and ConvTranspose2d layer by a chain of thinner
 * layers (see {@link LayerDecomposition}: {@link LinearSvd}, {@link ConvChannelSplit}, {@link ConvSpatialSplit},
 * {@link Tucker2Split}) whose product approximates its weight; the last layer of a chain keeps the original node's
 * name, so its consumers stay connected, and the others are named "&lt;name&gt;.lr0", "&lt;name&gt;.lr1". Unlike
 * pruning it removes no channel a consumer sees: the layer's function is approximated, not cut, and plain
 * fine-tuning of the factors recovers the rest (Kim et al. 2016 fine-tune the whole chain).
 *
 * <p>A factorisation only pays below a break-even rank; a rank at or above it is kept unfactorised (or, when the
 * user fixed it, refused with an error) unless {@link LowRankConfig#force()} says otherwise. Everything that depends
 * only on shapes (layer names, ranks, the break-even MACs, a reachable budget) is checked before any SVD runs.
 */
public final class LowRankFactorization implements Compression {
    public static final String NAME = "low-rank";

    /**
     * @param model     the factorised model
     * @param decisions one per selected layer, in graph order
     * @param energy    the energy threshold used (the bisected one for a MACs budget); NaN for a fixed rank
     */
    public record Outcome(Model model, List<LayerDecision> decisions, double energy) {
        public Outcome {
            decisions = List.copyOf(decisions);
        }

        public String report() {
            return decisions.stream().map(LayerDecision::summary).collect(Collectors.joining("\n"));
        }
    }

    private final LowRankConfig config;

    public LowRankFactorization(LowRankConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public LowRankConfig config() {
        return config;
    }

    @Override
    public Model apply(Model model, CompressionContext context) {
        Outcome outcome = factorise(model);
        String applied = outcome.decisions().stream().filter(LayerDecision::applied)
                .map(d -> d.layer() + " " + d.ranks()).collect(Collectors.joining(", "));
        return outcome.model().withMetadata(Map.of("low_rank", config.method() + ": "
                + (applied.isEmpty() ? "no layer factorised" : applied)));
    }

    /** Factorises a copy of {@code model} and says what was done with every selected layer. */
    public Outcome factorise(Model model) {
        List<LayerCandidate> candidates = candidates(model);
        RankSelection selection = new RankSelection(config);
        selection.checkBeforeFactoring(model, candidates);
        List<Factored> factored = candidates.stream().map(LayerCandidate::factor).toList();
        double energy = selection.energy(model, factored);
        Map<String, List<Layer>> chains = new LinkedHashMap<>();
        List<LayerDecision> decisions = new ArrayList<>();
        for (Factored f : factored) {
            LayerDecision d = selection.decide(f, energy);
            decisions.add(d);
            if (d.applied()) {
                int[] ranks = d.ranks().stream().mapToInt(Integer::intValue).toArray();
                chains.put(d.layer(), f.factors().layers(ranks));
            }
        }
        return new Outcome(rewrite(model, chains), decisions, energy);
    }

    private List<LayerCandidate> candidates(Model model) {
        List<Node> all = model.nodes().stream().filter(n -> LayerDecomposition.factorisable(n.layer())).toList();
        for (String name : config.layers()) {
            if (model.nodes().stream().anyMatch(n -> n.name().equals(name) && n.layer() instanceof Conv2d c
                    && c.isGrouped())) {
                throw new GanCompressException("low-rank configuration: field 'layers': layer '" + name + "' of model "
                        + model.name() + " is a grouped convolution; " + LayerDecomposition.groupedRefusal(
                        (Conv2d) model.node(name).layer()));
            }
            if (all.stream().noneMatch(n -> n.name().equals(name))) {
                throw new GanCompressException("low-rank configuration: field 'layers': no Linear, Conv or "
                        + "ConvTranspose layer named '" + name + "' in model " + model.name() + "; factorisable: "
                        + all.stream().map(Node::name).collect(Collectors.joining(", ")));
            }
        }
        List<LayerCandidate> list = new ArrayList<>();
        for (Node n : all) {
            if (config.layers().isEmpty() || config.layers().contains(n.name())) {
                list.add(new LayerCandidate(n, LayerDecomposition.of(config.method(), n.layer(),
                        model.shape(n.inputs().get(0)), model.shape(n.name())), model.macs(n)));
            }
        }
        return list;
    }

    /** The model with each factorised node replaced by its chain; the chain's last layer keeps the node's name. */
    private static Model rewrite(Model model, Map<String, List<Layer>> chains) {
        Set<String> taken = model.valueNames();
        List<Node> nodes = new ArrayList<>();
        for (Node n : model.nodes()) {
            List<Layer> chain = chains.get(n.name());
            if (chain == null) {
                nodes.add(n.copy());
                continue;
            }
            List<String> inputs = n.inputs();
            int suffix = 0;
            for (int i = 0; i < chain.size() - 1; i++) {
                while (taken.contains(n.name() + ".lr" + suffix)) {
                    suffix++;
                }
                String name = n.name() + ".lr" + suffix;
                taken.add(name);
                nodes.add(new Node(name, chain.get(i), inputs));
                inputs = List.of(name);
            }
            nodes.add(new Node(n.name(), chain.get(chain.size() - 1), inputs));
        }
        return model.withNodes(nodes);
    }
}
