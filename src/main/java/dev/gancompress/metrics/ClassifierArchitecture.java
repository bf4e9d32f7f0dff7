package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Activation;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The classifier architectures train-evaluator can build. STANDARD is the evaluator the metrics are computed
 * on. NARROW_DEEP is a different network for training losses that need image features (distribution matching,
 * perceptual distillation): six 3x3/4x4 convolutions of 16-48 channels instead of three of 32-64, so a loss
 * computed on it is not the metric's own feature space (no metric gaming). Both end in the same "features"
 * Linear of {@link DomainEvaluator#FEATURE_DIM} dimensions and "logits", so they are read and normalised alike.
 */
public enum ClassifierArchitecture {
    STANDARD, NARROW_DEEP;

    /** The metadata key train-evaluator records the architecture under. */
    public static final String META_ARCH = "evaluator.arch";

    /** The untrained classifier for channels x height x width images of {@code classes} classes. */
    public Model build(int channels, int height, int width, int classes) {
        if (this == STANDARD) {
            return DomainEvaluator.architecture(channels, height, width, classes);
        }
        if (channels < 1 || height < 8 || width < 8 || classes < 2) {
            throw new GanCompressException("feature network: need images of at least 8 x 8 and at least 2 classes, "
                    + "got " + channels + " x " + height + " x " + width + " and " + classes + " classes");
        }
        List<Node> nodes = new ArrayList<>();
        Kernel2d same = Kernel2d.square(3, 1, 1);
        Kernel2d down = Kernel2d.square(4, 2, 1);
        String x = DomainEvaluator.INPUT;
        int[][] plan = {{16, 0}, {16, 0}, {32, 1}, {32, 0}, {48, 1}, {48, 0}};
        int in = channels;
        int h = height;
        int w = width;
        for (int i = 0; i < plan.length; i++) {
            int out = plan[i][0];
            boolean strided = plan[i][1] == 1;
            Kernel2d k = strided ? down : same;
            String conv = "conv" + (i + 1);
            nodes.add(Node.of(conv, Conv2d.create(in, out, k, i == 0), x));
            x = conv;
            if (i > 0) {
                nodes.add(Node.of(conv + "_bn", BatchNorm2d.create(out), x));
                x = conv + "_bn";
            }
            nodes.add(Node.of(conv + "_act", Activation.relu(), x));
            x = conv + "_act";
            if (strided) {
                h = k.convOutH(h);
                w = k.convOutW(w);
            }
            in = out;
        }
        int flat = in * h * w;
        nodes.add(Node.of("flatten", new Reshape(Shape.of(flat)), x));
        nodes.add(Node.of(DomainEvaluator.FEATURE_LAYER, Linear.create(flat, DomainEvaluator.FEATURE_DIM, true),
                "flatten"));
        nodes.add(Node.of("features_act", Activation.relu(), DomainEvaluator.FEATURE_LAYER));
        nodes.add(Node.of(DomainEvaluator.LOGITS, Linear.create(DomainEvaluator.FEATURE_DIM, classes, true),
                "features_act"));
        return new Model("feature-network", List.of(Input.image(DomainEvaluator.INPUT, channels, height, width)),
                nodes, DomainEvaluator.LOGITS, Map.of(DomainEvaluator.META_FEATURE_LAYER, DomainEvaluator.FEATURE_LAYER,
                META_ARCH, name()));
    }

    /** The architecture by its CLI name ("standard", "narrow-deep"). */
    public static ClassifierArchitecture parse(String name) {
        for (ClassifierArchitecture a : values()) {
            if (a.cliName().equals(name)) {
                return a;
            }
        }
        throw new GanCompressException("--arch must be one of standard, narrow-deep, got '" + name + "'");
    }

    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
