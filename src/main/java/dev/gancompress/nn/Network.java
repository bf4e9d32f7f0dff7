package dev.gancompress.nn;

import dev.gancompress.model.Activation;
import dev.gancompress.model.ActivationQuantization;
import dev.gancompress.model.Affine;
import dev.gancompress.model.Add;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Concat;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Embedding;
import dev.gancompress.model.Input;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Pad2d;
import dev.gancompress.model.Upsample;
import dev.gancompress.model.Resize2d;
import dev.gancompress.model.DepthToSpace;
import dev.gancompress.model.SpaceToDepth;
import dev.gancompress.model.WeightSlot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an IR model forward and backward on the pure-Java engine. The network trains the model's weight arrays
 * in place; layers compute with the values each tensor's storage description gives ({@link WeightValues}: fake
 * quantisation forward, straight-through backward). Activation and gradient buffers are allocated once per batch
 * size and reused by every step, so a long training does not grow the heap.
 *
 * <p>Not thread-safe: one network per training loop (they may share a model only for reading).
 */
public final class Network {
    private final Model model;
    private final List<Parameter> parameters = new ArrayList<>();
    private final WeightValues weightValues;
    private final Map<String, Integer> valueIndex = new HashMap<>();
    private final Shape[] valueShapes;
    private final boolean[] isLabel;
    private final Kernel[] kernels;
    private final int[][] kernelInputs;
    private final int[] kernelOutput;
    private final int outputIndex;
    /** The int8 grid of each value, or null where it stays fp32. */
    private final ActivationQuantization[] valueGrids;
    private int batch = -1;
    private float[][] values;
    private float[][] grads;
    private boolean lastTraining;
    private long[] forwardNanos;
    private long[] backwardNanos;
    private boolean forwardDone;

    public Network(Model model) {
        this.model = model;
        this.weightValues = new WeightValues(model);
        int count = model.inputs().size() + model.nodes().size();
        valueShapes = new Shape[count];
        isLabel = new boolean[count];
        int v = 0;
        for (Input in : model.inputs()) {
            valueIndex.put(in.name(), v);
            valueShapes[v] = in.shape();
            isLabel[v] = in.kind() == Input.Kind.LABEL;
            v++;
        }
        kernels = new Kernel[model.nodes().size()];
        kernelInputs = new int[kernels.length][];
        kernelOutput = new int[kernels.length];
        for (int k = 0; k < kernels.length; k++) {
            Node node = model.nodes().get(k);
            valueIndex.put(node.name(), v);
            valueShapes[v] = model.shape(node.name());
            kernelOutput[k] = v;
            kernelInputs[k] = node.inputs().stream().mapToInt(valueIndex::get).toArray();
            kernels[k] = kernelFor(node);
            v++;
        }
        outputIndex = valueIndex.get(model.output());
        valueGrids = new ActivationQuantization[count];
        model.quantizedActivations().forEach((value, grid) -> valueGrids[valueIndex.get(value)] = grid);
    }

    /**
     * Fake-quantises a value where it is produced, so every consumer reads what an int8 runtime reads. Backward
     * leaves the gradient as it is: the straight-through estimator, as for weights ({@link WeightValues}).
     */
    private void quantizeValue(int v) {
        ActivationQuantization grid = valueGrids[v];
        if (grid != null) {
            grid.fakeQuantize(values[v], 0, values[v].length);
        }
    }

    private float[] register(Node node, WeightSlot slot) {
        if (!slot.trainable()) {
            return null;
        }
        float[] grad = new float[slot.weights().size()];
        parameters.add(new Parameter(node.name() + "." + slot.role(), slot.weights(), grad));
        return grad;
    }

    private float[] gradOf(Node node, String role) {
        for (WeightSlot slot : node.layer().weights()) {
            if (slot.role().equals(role)) {
                return register(node, slot);
            }
        }
        return null;
    }

    private Kernel kernelFor(Node node) {
        return kernelFor(model, node, weightValues, this::gradOf);
    }

    /**
     * The training-path kernel of a node; {@code gradOf} gives the gradient array of a weight role (null: none).
     * {@link InferenceNetwork} builds the layers it does not fuse here, without gradients.
     */
    static Kernel kernelFor(Model model, Node node, WeightValues weightValues,
                            java.util.function.BiFunction<Node, String, float[]> gradOf) {
        Layer layer = node.layer();
        Shape in = model.shape(node.inputs().get(0));
        Shape out = model.shape(node.name());
        if (layer instanceof Linear l) {
            return new LinearKernel(l, weightValues, gradOf.apply(node, "weight"), gradOf.apply(node, "bias"));
        } else if (layer instanceof Conv2d c) {
            return new Conv2dKernel(c, in, out, weightValues, gradOf.apply(node, "weight"),
                    gradOf.apply(node, "bias"));
        } else if (layer instanceof ConvTranspose2d c) {
            return new ConvTranspose2dKernel(c, in, out, weightValues, gradOf.apply(node, "weight"),
                    gradOf.apply(node, "bias"));
        } else if (layer instanceof BatchNorm2d b) {
            return new BatchNormKernel(b, in.height() * in.width(), weightValues, gradOf.apply(node, "weight"),
                    gradOf.apply(node, "bias"));
        } else if (layer instanceof InstanceNorm2d b) {
            return new InstanceNormKernel(b, in.height() * in.width(), weightValues,
                    gradOf.apply(node, "weight"), gradOf.apply(node, "bias"));
        } else if (layer instanceof Activation a) {
            return new ActivationKernel(a);
        } else if (layer instanceof Reshape) {
            return new ReshapeKernel(in, out);
        } else if (layer instanceof Upsample u) {
            return new UpsampleKernel(u.scale(), in);
        } else if (layer instanceof Resize2d r) {
            return new Resize2dKernel(r, in, out);
        } else if (layer instanceof DepthToSpace d) {
            return ChannelSpaceKernel.depthToSpace(d, in, out);
        } else if (layer instanceof SpaceToDepth d) {
            return ChannelSpaceKernel.spaceToDepth(d, in, out);
        } else if (layer instanceof Pad2d p) {
            return new Pad2dKernel(p, in);
        } else if (layer instanceof Affine a) {
            return new AffineKernel(a, in);
        } else if (layer instanceof Embedding e) {
            return new EmbeddingKernel(e, weightValues, gradOf.apply(node, "weight"));
        } else if (layer instanceof Add) {
            return new AddKernel();
        } else if (layer instanceof Concat) {
            return new ConcatKernel();
        }
        throw new IllegalArgumentException("no engine kernel for " + layer.opName());
    }

    public Model model() {
        return model;
    }

    public List<Parameter> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    public void zeroGradients() {
        for (Parameter p : parameters) {
            Arrays.fill(p.grad(), 0f);
        }
    }

    private void ensureBatch(int n) {
        if (n == batch) {
            return;
        }
        if (n < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + n);
        }
        batch = n;
        values = new float[valueShapes.length][];
        grads = new float[valueShapes.length][];
        for (int v = 0; v < valueShapes.length; v++) {
            values[v] = new float[valueShapes[v].size() * n];
        }
        for (Kernel k : kernels) {
            k.resize(n);
        }
    }

    /**
     * Runs the model. Inputs are batch-first tensors by input name (labels as class indices in floats).
     * In training mode batch normalisation uses and updates batch statistics.
     */
    public Tensor forward(Map<String, Tensor> inputs, boolean training) {
        int n = batchOf(model, inputs);
        ensureBatch(n);
        weightValues.refresh();
        for (Input in : model.inputs()) {
            int v = valueIndex.get(in.name());
            Layout.toInternal(inputs.get(in.name()).data(), in.shape(), n, values[v]);
            quantizeValue(v);
        }
        for (int k = 0; k < kernels.length; k++) {
            long t0 = forwardNanos == null ? 0 : System.nanoTime();
            kernels[k].forward(gather(values, kernelInputs[k]), values[kernelOutput[k]], n, training);
            quantizeValue(kernelOutput[k]);
            if (forwardNanos != null) {
                forwardNanos[k] += System.nanoTime() - t0;
            }
        }
        lastTraining = training;
        forwardDone = true;
        Shape os = valueShapes[outputIndex];
        float[] out = new float[os.size() * n];
        Layout.toPublic(values[outputIndex], os, n, out);
        return new Tensor(batchShape(os, n), out);
    }

    /** [n, dims of s...]: a per-sample shape with the batch in front. */
    static int[] batchShape(Shape s, int n) {
        int[] d = new int[s.rank() + 1];
        d[0] = n;
        System.arraycopy(s.dims(), 0, d, 1, s.rank());
        return d;
    }

    /** The batch size of a model's inputs, after checking every input is present, shaped and equally batched. */
    static int batchOf(Model model, Map<String, Tensor> inputs) {
        int n = -1;
        for (Input in : model.inputs()) {
            Tensor t = inputs.get(in.name());
            if (t == null) {
                throw new IllegalArgumentException("missing input '" + in.name() + "'");
            }
            if (n < 0) {
                n = t.batch();
            } else if (t.batch() != n) {
                throw new IllegalArgumentException("inputs disagree on the batch size: " + n + " vs " + t.batch());
            }
            int[] expected = batchShape(in.shape(), t.batch());
            if (!Arrays.equals(expected, t.shape())) {
                throw new IllegalArgumentException("input '" + in.name() + "' must have shape "
                        + Arrays.toString(expected) + ", got " + Arrays.toString(t.shape()));
            }
        }
        return n;
    }

    private static float[][] gather(float[][] arrays, int[] idx) {
        float[][] r = new float[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            r[i] = arrays[idx[i]];
        }
        return r;
    }

    /**
     * Back-propagates the gradient of a loss with respect to the last forward's output. Parameter gradients are
     * added to {@link Parameter#grad()} when {@code paramGrads}; input gradients are then available from
     * {@link #inputGradient(String)}.
     */
    public void backward(Tensor gradOutput, boolean paramGrads) {
        backward(gradOutput, Map.of(), paramGrads);
    }

    /**
     * Backward with extra gradients injected at intermediate values (batch-first arrays keyed by value name),
     * as feature-matching losses need.
     */
    public void backward(Tensor gradOutput, Map<String, float[]> extraGrads, boolean paramGrads) {
        if (!forwardDone) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        Shape os = valueShapes[outputIndex];
        if (!Arrays.equals(batchShape(os, batch), gradOutput.shape())) {
            throw new IllegalArgumentException("output gradient must have shape "
                    + Arrays.toString(batchShape(os, batch)) + ", got " + Arrays.toString(gradOutput.shape()));
        }
        for (int v = 0; v < grads.length; v++) {
            if (!isLabel[v]) {
                if (grads[v] == null) {
                    grads[v] = new float[values[v].length];
                } else {
                    Arrays.fill(grads[v], 0f);
                }
            }
        }
        Layout.toInternal(gradOutput.data(), os, batch, grads[outputIndex]);
        for (Map.Entry<String, float[]> e : extraGrads.entrySet()) {
            Integer v = valueIndex.get(e.getKey());
            if (v == null || isLabel[v] || e.getValue().length != grads[v].length) {
                throw new IllegalArgumentException("cannot inject a gradient at '" + e.getKey() + "'");
            }
            float[] internal = new float[grads[v].length];
            Layout.toInternal(e.getValue(), valueShapes[v], batch, internal);
            float[] g = grads[v];
            for (int i = 0; i < g.length; i++) {
                g[i] += internal[i];
            }
        }
        for (int k = kernels.length - 1; k >= 0; k--) {
            long t0 = backwardNanos == null ? 0 : System.nanoTime();
            kernels[k].backward(gather(values, kernelInputs[k]), values[kernelOutput[k]], grads[kernelOutput[k]],
                    gather(grads, kernelInputs[k]), batch, paramGrads);
            if (backwardNanos != null) {
                backwardNanos[k] += System.nanoTime() - t0;
            }
        }
    }

    /** Gradient of the loss with respect to a float input of the last backward pass, batch-first. */
    public Tensor inputGradient(String inputName) {
        Integer v = valueIndex.get(inputName);
        if (v == null || isLabel[v] || grads == null || grads[v] == null) {
            throw new IllegalArgumentException("no gradient for input '" + inputName + "'");
        }
        Shape s = valueShapes[v];
        float[] out = new float[s.size() * batch];
        Layout.toPublic(grads[v], s, batch, out);
        return new Tensor(batchShape(s, batch), out);
    }

    /** The last forward's value of any node, batch-first (for feature distillation and inspection). */
    public Tensor value(String name) {
        Integer v = valueIndex.get(name);
        if (v == null || !forwardDone) {
            throw new IllegalArgumentException("no value named '" + name + "' computed");
        }
        Shape s = valueShapes[v];
        float[] out = new float[s.size() * batch];
        Layout.toPublic(values[v], s, batch, out);
        return new Tensor(batchShape(s, batch), out);
    }

    /** Starts (or restarts) per-node timing of forward and backward passes. */
    public void startProfiling() {
        forwardNanos = new long[kernels.length];
        backwardNanos = new long[kernels.length];
    }

    /** Per-node milliseconds since {@link #startProfiling()}: [forward, backward] by node name. */
    public Map<String, double[]> profile() {
        Map<String, double[]> map = new java.util.LinkedHashMap<>();
        if (forwardNanos == null) {
            return map;
        }
        for (int k = 0; k < kernels.length; k++) {
            map.put(model.nodes().get(k).name(), new double[] {forwardNanos[k] / 1e6, backwardNanos[k] / 1e6});
        }
        return map;
    }

    public boolean lastForwardWasTraining() {
        return lastTraining;
    }
}
