package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Weights;
import dev.gancompress.nn.Initializer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives a distillation student from a teacher: the teacher's graph with fewer channels per layer (a width
 * multiplier, global or per layer by node name; node names are kept, so feature distillation can match layers
 * by name), or a student given as a model whose output must match the teacher's.
 */
public final class StudentFactory {
    private StudentFactory() {
    }

    /**
     * The teacher's architecture with every scalable layer (Conv2d/ConvTranspose2d except the image producer, and
     * the Linear before a Reshape to [C, H, W]) keeping round(C x multiplier) output channels; BatchNorm and the
     * consumers follow. {@code init} RANDOM draws DCGAN weights from {@code seed}; TEACHER_SELECTION copies the
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
        ChannelPlan plan = ChannelPlan.of(teacher, globalMultiplier, layerMultipliers);
        plan.select(init == StudentInit.TEACHER_SELECTION ? filterNorms(teacher, plan) : null);
        List<Node> nodes = new ArrayList<>(teacher.nodes().size());
        for (Node node : teacher.nodes()) {
            int[] in = plan.keptIndices(node.inputs().get(0));
            int[] out = plan.keptIndices(node.name());
            nodes.add(node.withLayer(sliced(node.layer(), in, out)));
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
        return ChannelPlan.of(teacher, globalMultiplier, layerMultipliers).keptChannels();
    }

    /**
     * Accepts a ready-made student if it can stand in for the teacher: same output shape, same latent size and
     * the same label input (or none). {@code source} names the file in messages.
     */
    public static Model checkedStudent(Model student, Model teacher, String source) {
        if (!student.outputShape().equals(teacher.outputShape())) {
            throw new GanCompressException("student " + source + " makes outputs of shape " + student.outputShape()
                    + ", but the teacher " + teacher.name() + " makes " + teacher.outputShape()
                    + "; the output shapes must be equal");
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

    private static String widthDescription(double global, Map<String, Double> perLayer) {
        return perLayer.isEmpty() ? Double.toString(global) : global + " " + perLayer;
    }

    /** Per output channel, the L1 norm of the weights producing it (Li et al. 2017, "Pruning Filters"). */
    private static Map<String, double[]> filterNorms(Model teacher, ChannelPlan plan) {
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (String name : plan.producers()) {
            Layer layer = teacher.node(name).layer();
            int channels = plan.teacherChannels(name);
            double[] s = new double[channels];
            if (layer instanceof Conv2d c) {
                addNorms(c.weight(), 0, s, 1);
            } else if (layer instanceof ConvTranspose2d c) {
                addNorms(c.weight(), 1, s, 1);
            } else if (layer instanceof Linear l) {
                addNorms(l.weight(), 0, s, plan.spatial(name));
            }
            scores.put(name, s);
        }
        return scores;
    }

    /** Adds |w| of every entry to the score of its channel: index along {@code axis} divided by {@code spatial}. */
    private static void addNorms(Weights w, int axis, double[] score, int spatial) {
        int[] shape = w.shape();
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        int inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        float[] d = w.data();
        int n = shape[axis];
        for (int o = 0; o < outer; o++) {
            for (int a = 0; a < n; a++) {
                int base = (o * n + a) * inner;
                double sum = 0;
                for (int i = 0; i < inner; i++) {
                    sum += Math.abs(d[base + i]);
                }
                score[a / spatial] += sum;
            }
        }
    }

    private static Layer sliced(Layer layer, int[] in, int[] out) {
        if (layer instanceof Conv2d c) {
            return new Conv2d(in.length, out.length, c.kernel(), gather2(c.weight(), out, in), gather1(c.bias(), out));
        } else if (layer instanceof ConvTranspose2d c) {
            return new ConvTranspose2d(in.length, out.length, c.kernel(), c.outputPadH(), c.outputPadW(),
                    gather2(c.weight(), in, out), gather1(c.bias(), out));
        } else if (layer instanceof Linear l) {
            return new Linear(in.length, out.length, gather2(l.weight(), out, in), gather1(l.bias(), out));
        } else if (layer instanceof BatchNorm2d b) {
            return new BatchNorm2d(out.length, b.eps(), b.momentum(), gather1(b.gamma(), out),
                    gather1(b.beta(), out), gather1(b.runningMean(), out), gather1(b.runningVar(), out));
        } else if (layer instanceof InstanceNorm2d b) {
            return new InstanceNorm2d(out.length, b.eps(), gather1(b.gamma(), out), gather1(b.beta(), out));
        } else if (layer instanceof Reshape r) {
            int[] dims = r.target().dims();
            dims[0] = out.length;
            return new Reshape(new Shape(dims));
        }
        return layer.copy();
    }

    private static Weights gather1(Weights w, int[] idx) {
        if (w == null) {
            return null;
        }
        float[] src = w.data();
        float[] dst = new float[idx.length];
        for (int i = 0; i < idx.length; i++) {
            dst[i] = src[idx[i]];
        }
        return new Weights(new int[] {idx.length}, dst);
    }

    /** Keeps rows {@code a} of axis 0 and {@code b} of axis 1 of a [A, B, ...] tensor. */
    private static Weights gather2(Weights w, int[] a, int[] b) {
        int[] shape = w.shape();
        int inner = 1;
        for (int i = 2; i < shape.length; i++) {
            inner *= shape[i];
        }
        float[] src = w.data();
        float[] dst = new float[a.length * b.length * inner];
        int bTeacher = shape[1];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                System.arraycopy(src, (a[i] * bTeacher + b[j]) * inner, dst, (i * b.length + j) * inner, inner);
            }
        }
        shape[0] = a.length;
        shape[1] = b.length;
        return new Weights(shape, dst);
    }
}
