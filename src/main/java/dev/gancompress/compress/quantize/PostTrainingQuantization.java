package dev.gancompress.compress.quantize;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Post-training weight quantisation: sets the storage description of each selected layer's "weight" tensor
 * (int8 or int4 symmetric or asymmetric, ternary, binary, fp16 or bf16; per output channel or per tensor) and moves
 * its values onto that grid. Nothing else changes: the engine computes with the represented values, the cost model
 * counts the stored bits, the ONNX exporter writes the integer codes with a DequantizeLinear (or the 16-bit values
 * with a Cast), all from that one description. Activations stay fp32 here; {@link ActivationCalibration}
 * ("ptq-activations") quantises them afterwards, which with int8 weights makes the graph ONNX Runtime runs on int8
 * kernels (quantisation-aware training composes by changing the same descriptions); fine-tuning after this
 * pass already trains through the quantised weights with the straight-through estimator.
 *
 * <p>Every layer name is checked before any tensor changes.
 */
public final class PostTrainingQuantization implements Compression {
    public static final String NAME = "ptq-weights";

    private final QuantizationConfig config;

    public PostTrainingQuantization(QuantizationConfig config) {
        this.config = config;
    }

    @Override
    public Phase phase() {
        return Phase.QUANTIZE;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public QuantizationConfig config() {
        return config;
    }

    /** A copy of {@code model} with the selected weights quantised; the metadata says which, and how. */
    @Override
    public Model apply(Model model, CompressionContext context) {
        Model copy = model.copy();
        List<Node> targets = targets(copy);
        QuantizationScheme scheme = QuantizationScheme.of(config);
        for (Node n : targets) {
            WeightSlot slot = n.layer().weight("weight");
            int axis = config.perChannel() ? n.layer().outputChannelAxis(slot) : -1;
            scheme.quantize(slot.weights(), axis, config);
        }
        return copy.withMetadata(Map.of("quantization", config.describe() + ": "
                + targets.stream().map(Node::name).collect(Collectors.joining(", "))));
    }

    /** The nodes to quantise: the named ones (each must exist and have a weight matrix or kernel), else all such. */
    List<Node> targets(Model model) {
        List<Node> eligible = model.nodes().stream().filter(n -> n.layer().hasWeightMatrix()).toList();
        for (String name : config.layers()) {
            if (eligible.stream().noneMatch(n -> n.name().equals(name))) {
                boolean exists = model.nodes().stream().anyMatch(n -> n.name().equals(name));
                throw new GanCompressException("quantization configuration: field 'layers': "
                        + (exists ? "node '" + name + "' has no weight matrix or kernel to quantise"
                        : "no node named '" + name + "'") + " in model " + model.name() + "; quantisable: "
                        + eligible.stream().map(Node::name).collect(Collectors.joining(", ")));
            }
        }
        List<Node> list = new ArrayList<>();
        for (Node n : eligible) {
            if (config.layers().isEmpty() || config.layers().contains(n.name())) {
                list.add(n);
            }
        }
        return list;
    }


}
