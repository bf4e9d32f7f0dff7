package dev.gancompress.runtime.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.BatchNorm;
import dev.gancompress.GanCompressException;
import dev.gancompress.model.Add;
import dev.gancompress.model.Affine;
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
import dev.gancompress.model.Pad2d;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Upsample;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.Weights;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An IR model as PyTorch operators through DJL: each node becomes the ATen call that computes it (conv2d, linear,
 * batch_norm, ...), with the model's weights copied into tensors of {@code manager}. Weights stored in a lossy form
 * are copied decoded (their effective fp32 values), as the engine computes with them.
 *
 * <p>What DJL's PyTorch engine cannot express is refused when the graph is built, naming the node: transposed
 * convolution ({@code NDArrayEx.deconvolution} throws "Not implemented" in DJL's PyTorch engine), reflect and edge
 * padding (DJL pads with a constant only), and int8 activations (DJL runs fp32 tensors only).
 */
final class PyTorchGraph {
    private final Model model;
    /** Every weight tensor of the model by identity, in the order of {@link #parameters()}. */
    private final Map<Weights, NDArray> tensors = new IdentityHashMap<>();
    private final Map<String, NDArray> trainable = new LinkedHashMap<>();

    PyTorchGraph(Model model, NDManager manager) {
        this.model = model;
        if (!model.quantizedActivations().isEmpty()) {
            throw refused(null, "int8 activations (DJL runs fp32 tensors; run it on 'ort' for integer kernels)");
        }
        for (Node node : model.nodes()) {
            checkExpressible(node);
            for (WeightSlot slot : node.layer().weights()) {
                Weights w = slot.weights();
                NDArray t = manager.create(w.effectiveValues(), new Shape(toLongs(w.shape())));
                tensors.put(w, t);
                if (slot.trainable()) {
                    trainable.put(node.name() + "." + slot.role(), t);
                }
            }
        }
    }

    private void checkExpressible(Node node) {
        Layer layer = node.layer();
        if (layer instanceof ConvTranspose2d) {
            throw refused(node, "ConvTranspose: DJL's PyTorch engine has no transposed convolution "
                    + "(NDArrayEx.deconvolution is not implemented); an upsample + conv generator runs");
        }
        if (layer instanceof dev.gancompress.model.Resize2d || layer instanceof dev.gancompress.model.DepthToSpace
                || layer instanceof dev.gancompress.model.SpaceToDepth) {
            throw refused(node, layer.opName() + " (not mapped to DJL; the engine and ONNX Runtime run it)");
        }
        if (layer instanceof Pad2d p && p.mode() != Pad2d.Mode.ZERO) {
            throw refused(node, p.mode().onnxName() + " padding (DJL pads with a constant only)");
        }
        if (layer instanceof Conv2d c && (c.kernel().padH() < 0 || c.kernel().padW() < 0)) {
            throw refused(node, "negative padding");
        }
        if (layer instanceof Conv2d c && !c.kernel().isSymmetric()) {
            throw refused(node, "asymmetric padding " + c.kernel() + " (DJL pads both sides alike)");
        }
    }

    private GanCompressException refused(Node node, String what) {
        return new GanCompressException("model " + model.name() + (node == null ? "" : ", node '" + node.name()
                + "' (" + node.layer().opName() + ")") + ": the djl backend cannot run " + what);
    }

    /** The trainable tensors by "node.role", in graph order. */
    Map<String, NDArray> parameters() {
        return trainable;
    }

    /** The model's output for {@code inputs}; new tensors go to the managers of the inputs. */
    NDArray forward(Map<String, NDArray> inputs, boolean training) {
        Map<String, NDArray> values = new HashMap<>();
        for (Input in : model.inputs()) {
            NDArray x = inputs.get(in.name());
            if (x == null) {
                throw new GanCompressException("model " + model.name() + ": input '" + in.name() + "' was not given");
            }
            values.put(in.name(), x);
        }
        for (Node node : model.nodes()) {
            List<NDArray> xs = node.inputs().stream().map(values::get).toList();
            values.put(node.name(), apply(node, xs, training));
        }
        return values.get(model.output());
    }

    private NDArray apply(Node node, List<NDArray> xs, boolean training) {
        Layer layer = node.layer();
        NDArray x = xs.get(0);
        if (layer instanceof Linear l) {
            return x.getNDArrayInternal().linear(x, t(l.weight()), l.bias() == null ? null : t(l.bias())).head();
        } else if (layer instanceof Conv2d c) {
            var k = c.kernel();
            return x.getNDArrayInternal().convolution(x, t(c.weight()), c.bias() == null ? null : t(c.bias()),
                    new Shape(k.strideH(), k.strideW()), new Shape(k.padH(), k.padW()), new Shape(k.dilationH(), k.dilationW()),
                    c.groups()).head();
        } else if (layer instanceof BatchNorm2d b) {
            return BatchNorm.batchNorm(x, t(b.runningMean()), t(b.runningVar()), t(b.gamma()), t(b.beta()), 1,
                    b.momentum(), b.eps(), training).head();
        } else if (layer instanceof InstanceNorm2d b) {
            NDArray mean = x.mean(new int[] {2, 3}, true);
            NDArray centred = x.sub(mean);
            NDArray var = centred.square().mean(new int[] {2, 3}, true);
            NDArray y = centred.div(var.add(b.eps()).sqrt());
            return y.mul(t(b.gamma()).reshape(1, -1, 1, 1)).add(t(b.beta()).reshape(1, -1, 1, 1));
        } else if (layer instanceof dev.gancompress.model.Activation a) {
            return switch (a.function()) {
                case RELU -> Activation.relu(x);
                case LEAKY_RELU -> Activation.leakyRelu(x, a.alpha());
                case TANH -> Activation.tanh(x);
                case SIGMOID -> Activation.sigmoid(x);
                case CLIP -> x.clip(a.alpha(), a.beta());
            };
        } else if (layer instanceof Reshape r) {
            long[] dims = new long[r.target().rank() + 1];
            dims[0] = -1;
            int[] target = r.target().dims();
            for (int i = 0; i < target.length; i++) {
                dims[i + 1] = target[i];
            }
            return x.reshape(new Shape(dims));
        } else if (layer instanceof Upsample u) {
            // nearest: every pixel repeated s x s, as a broadcast over two new axes
            Shape s = x.getShape();
            long n = s.get(0);
            long c = s.get(1);
            long h = s.get(2);
            long w = s.get(3);
            int f = u.scale();
            return x.reshape(n, c, h, 1, w, 1).broadcast(n, c, h, f, w, f).reshape(n, c, h * f, w * f);
        } else if (layer instanceof Pad2d p) {
            return x.pad(new Shape(p.left(), p.right(), p.top(), p.bottom()), 0);
        } else if (layer instanceof Affine a) {
            NDArray scale = t(a.scale());
            NDArray shift = t(a.shift());
            if (a.scale().size() > 1 || a.shift().size() > 1) {
                long[] view = x.getShape().dimension() == 4 ? new long[] {1, -1, 1, 1} : new long[] {1, -1};
                scale = scale.reshape(view);
                shift = shift.reshape(view);
            }
            return x.mul(scale).add(shift);
        } else if (layer instanceof Embedding e) {
            // one-hot times the table: a gather whose gradient reaches the table
            return x.toType(DataType.INT64, false).oneHot(e.numClasses(), DataType.FLOAT32).matMul(t(e.table()));
        } else if (layer instanceof Add) {
            return x.add(xs.get(1));
        } else if (layer instanceof Concat) {
            return NDArrays.concat(new NDList(xs), 1);
        }
        throw refused(node, layer.opName());
    }

    private NDArray t(Weights w) {
        return tensors.get(w);
    }

    private static long[] toLongs(int[] dims) {
        long[] out = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = dims[i];
        }
        return out;
    }
}
