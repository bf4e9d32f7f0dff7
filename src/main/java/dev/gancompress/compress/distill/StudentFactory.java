package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.prune.ChannelCriterion;
import dev.gancompress.compress.prune.ChannelDependencyGraph;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Group;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Producer;
import dev.gancompress.compress.prune.ChannelSurgery;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.nn.Initializer;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Derives a distillation student from a teacher: the teacher's graph with fewer channels per layer (a width
 * multiplier, global or per layer by node name; node names are kept, so feature distillation can match layers
 * by name), or a student given as a model whose output must match the teacher's.
 *
 * <p>Width scaling is structured pruning to a fixed width: the channel groups of {@link ChannelDependencyGraph}
 * (residual partners share one multiplier) and the slicing of {@link ChannelSurgery}.
 */
public final class StudentFactory {
    private StudentFactory() {
    }

    /**
     * The teacher's architecture with every scalable layer (a producer of a prunable channel group: Conv2d and
     * ConvTranspose2d except the image producer, the Linear before a Reshape to [C, H, W]) keeping round(C x
     * multiplier) output channels; BatchNorm and the consumers follow. {@code init} RANDOM draws DCGAN weights from {@code seed}; TEACHER_SELECTION copies the
     * teacher's highest-L1 channels, so at width 1.0 the student is the teacher exactly.
     *
     * @throws GanCompressException if a multiplier leaves a layer with no channel or names an unknown layer
     */
    public static Model widthScaled(Model teacher, double globalMultiplier, Map<String, Double> layerMultipliers,
                                    StudentInit init, long seed) {
        if (init == StudentInit.AS_GIVEN) {
            throw new GanCompressException("student init AS_GIVEN needs a student file; a width-scaled student starts "
                    + "RANDOM or TEACHER_SELECTION");
        }
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(teacher);
        Map<String, int[]> keep = new LinkedHashMap<>();
        for (Map.Entry<Group, Integer> e : groupWidths(teacher, graph, globalMultiplier, layerMultipliers).entrySet()) {
            Group g = e.getKey();
            int count = e.getValue();
            keep.put(g.name(), init == StudentInit.TEACHER_SELECTION
                    ? highest(ChannelCriterion.filterL1(teacher, g), count) : IntStream.range(0, count).toArray());
        }
        List<Node> nodes = ChannelSurgery.removeChannels(teacher, graph, keep).nodes();
        // A student trains all its weights, even where a pruned teacher's masks held its weights at zero.
        for (Node node : nodes) {
            node.layer().weights().forEach(slot -> slot.weights().setMask(null));
        }
        Map<String, String> meta = new LinkedHashMap<>(teacher.metadata());
        meta.put("distillation.teacher", teacher.name());
        meta.put("distillation.width", widthDescription(globalMultiplier, layerMultipliers));
        Model student = new Model(teacher.name(), teacher.inputs(), nodes, teacher.output(), meta);
        if (init == StudentInit.RANDOM) {
            Initializer.dcgan(student, seed);
        }
        return student;
    }

    /** The output channels each scalable layer keeps under the multipliers, by node name (for reports). */
    public static Map<String, Integer> keptChannels(Model teacher, double globalMultiplier,
                                                    Map<String, Double> layerMultipliers) {
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(teacher);
        Map<Group, Integer> widths = groupWidths(teacher, graph, globalMultiplier, layerMultipliers);
        Map<String, Group> groupOf = groupsByProducer(graph);
        Map<String, Integer> kept = new LinkedHashMap<>();
        for (String layer : scalableLayers(teacher, groupOf)) {
            kept.put(layer, widths.get(groupOf.get(layer)));
        }
        return kept;
    }

    /**
     * Accepts a ready-made student if it can stand in for the teacher: same output shape, same latent size and
     * the same label input (or none); for an image-to-image teacher, the same input image and no other input.
     * {@code source} names the file in messages.
     */
    public static Model checkedStudent(Model student, Model teacher, String source) {
        if (!student.outputShape().equals(teacher.outputShape())) {
            throw new GanCompressException("student " + source + " makes outputs of shape " + student.outputShape()
                    + ", but the teacher " + teacher.name() + " makes " + teacher.outputShape()
                    + "; the output shapes must be equal");
        }
        if (teacher.input(Input.Kind.LATENT) == null && teacher.input(Input.Kind.IMAGE) != null) {
            return checkedImageStudent(student, teacher, source);
        }
        Input sz = student.input(Input.Kind.LATENT);
        Input tz = teacher.input(Input.Kind.LATENT);
        if (sz == null || !sz.shape().equals(tz.shape())) {
            throw new GanCompressException("student " + source + " has latent input "
                    + (sz == null ? "none" : sz.shape().toString()) + ", expected " + tz.shape() + " as the teacher's");
        }
        Input sl = student.input(Input.Kind.LABEL);
        Input tl = teacher.input(Input.Kind.LABEL);
        if ((sl == null) != (tl == null) || (sl != null && sl.numClasses() != tl.numClasses())) {
            throw new GanCompressException("student " + source + " takes "
                    + (sl == null ? "no label" : "labels of " + sl.numClasses() + " classes") + ", but the teacher takes "
                    + (tl == null ? "no label" : "labels of " + tl.numClasses() + " classes"));
        }
        for (Input in : student.inputs()) {
            if (in.kind() == Input.Kind.IMAGE) {
                throw new GanCompressException("student " + source + " has an image input '" + in.name()
                        + "'; a generator student takes only a latent code and optionally a label");
            }
        }
        return student;
    }

    /** An image-to-image student reads the same input image (name and shape) as the teacher, and nothing else. */
    private static Model checkedImageStudent(Model student, Model teacher, String source) {
        Input t = teacher.input(Input.Kind.IMAGE);
        Input s = student.input(Input.Kind.IMAGE);
        if (s == null || !s.name().equals(t.name()) || !s.shape().equals(t.shape()) || student.inputs().size() != 1) {
            throw new GanCompressException("student " + source + " takes inputs "
                    + student.inputs().stream().map(i -> i.name() + " " + i.shape()).toList()
                    + ", but the image-to-image teacher " + teacher.name() + " takes only '" + t.name() + "' "
                    + t.shape() + "; the student must read the same input image");
        }
        return student;
    }

    private static String widthDescription(double global, Map<String, Double> perLayer) {
        return perLayer.isEmpty() ? Double.toString(global) : global + " " + perLayer;
    }

    /** The group of every scalable layer (a producer of a prunable group), by node name. */
    private static Map<String, Group> groupsByProducer(ChannelDependencyGraph graph) {
        Map<String, Group> map = new LinkedHashMap<>();
        for (Group g : graph.prunableGroups()) {
            for (Producer p : g.producers()) {
                map.put(p.node(), g);
            }
        }
        return map;
    }

    /** The scalable layers in graph order. */
    private static List<String> scalableLayers(Model teacher, Map<String, Group> groupOf) {
        return teacher.nodes().stream().map(Node::name).filter(groupOf::containsKey).toList();
    }

    /**
     * The channels each prunable group keeps: round(C x multiplier), the multiplier of its producers (per layer by
     * node name, else the global one). Throws before any weight is touched if a layer name is unknown, if the
     * producers of one group (joined by an Add) are given different multipliers, or if a group keeps nothing.
     */
    private static Map<Group, Integer> groupWidths(Model teacher, ChannelDependencyGraph graph, double global,
                                                   Map<String, Double> layerMultipliers) {
        Map<String, Group> groupOf = groupsByProducer(graph);
        for (String name : layerMultipliers.keySet()) {
            if (!groupOf.containsKey(name)) {
                throw new GanCompressException("width multiplier for layer '" + name + "': model " + teacher.name()
                        + " has no scalable layer of that name; scalable layers: "
                        + String.join(", ", scalableLayers(teacher, groupOf)));
            }
        }
        Map<Group, Double> multipliers = new LinkedHashMap<>();
        for (Group g : graph.prunableGroups()) {
            String first = g.producers().get(0).node();
            double m = layerMultipliers.getOrDefault(first, global);
            for (Producer p : g.producers()) {
                double other = layerMultipliers.getOrDefault(p.node(), global);
                if (other != m) {
                    throw new GanCompressException("width multipliers of layers '" + first + "' (" + m + ") and '"
                            + p.node() + "' (" + other + ") differ, but an Add joins their channels;"
                            + " give them the same multiplier");
                }
            }
            multipliers.put(g, m);
        }
        Map<Group, Integer> widths = new LinkedHashMap<>();
        for (Map.Entry<Group, Double> e : multipliers.entrySet()) {
            Group g = e.getKey();
            double m = e.getValue();
            long k = Math.round(g.channels() * m);
            if (k < 1) {
                throw new GanCompressException("width multiplier " + m + " leaves layer " + g.name()
                        + " with 0 channels (" + g.channels() + " x " + m + " rounds to 0); use at least "
                        + 0.5 / g.channels() + " for it");
            }
            widths.put(g, (int) k);
        }
        return widths;
    }

    /** The {@code count} highest-scoring channels, ascending; ties keep the lower index, so width 1.0 is the identity. */
    private static int[] highest(double[] scores, int count) {
        return IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -scores[c]).thenComparingInt(c -> c))
                .limit(count).mapToInt(Integer::intValue).sorted().toArray();
    }
}
