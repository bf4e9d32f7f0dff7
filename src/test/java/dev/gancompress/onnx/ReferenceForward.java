package dev.gancompress.onnx;

import dev.gancompress.model.Activation;
import dev.gancompress.model.Affine;
import dev.gancompress.model.Add;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Concat;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Embedding;
import dev.gancompress.model.Input;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Pad2d;
import dev.gancompress.model.Upsample;
import dev.gancompress.nn.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately naive inference-mode forward pass in double precision, written from the layer definitions
 * (PyTorch / ONNX semantics) and sharing no code with the engine: an independent oracle for ONNX Runtime and
 * for {@code dev.gancompress.nn.Network}. BatchNorm uses the running statistics, as in evaluation.
 */
final class ReferenceForward {
    /** A batch-first value: shape [N, ...] and its elements in row-major order. */
    private record Value(int[] shape, double[] data) {
        int batch() {
            return shape[0];
        }

        int sampleSize() {
            return data.length / shape[0];
        }
    }

    private ReferenceForward() {
    }

    static Tensor forward(Model model, Map<String, Tensor> inputs) {
        Map<String, Value> values = new HashMap<>();
        int batch = -1;
        for (Input in : model.inputs()) {
            Tensor t = inputs.get(in.name());
            double[] d = new double[t.data().length];
            for (int i = 0; i < d.length; i++) {
                d[i] = t.data()[i];
            }
            values.put(in.name(), new Value(t.shape(), d));
            batch = t.batch();
        }
        for (Node node : model.nodes()) {
            List<Value> args = node.inputs().stream().map(values::get).toList();
            values.put(node.name(), apply(node.layer(), args));
        }
        Value out = values.get(model.output());
        float[] f = new float[out.data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) out.data[i];
        }
        return new Tensor(out.shape, f);
    }

    private static Value apply(Layer layer, List<Value> args) {
        Value x = args.get(0);
        if (layer instanceof Linear l) {
            return linear(l, x);
        } else if (layer instanceof Conv2d c) {
            return conv(c, x);
        } else if (layer instanceof ConvTranspose2d c) {
            return convTranspose(c, x);
        } else if (layer instanceof BatchNorm2d b) {
            return batchNorm(b, x);
        } else if (layer instanceof InstanceNorm2d n) {
            return instanceNorm(n, x);
        } else if (layer instanceof Activation a) {
            return activation(a, x);
        } else if (layer instanceof Reshape r) {
            int[] target = r.target().dims();
            int[] shape = new int[target.length + 1];
            shape[0] = x.batch();
            System.arraycopy(target, 0, shape, 1, target.length);
            return new Value(shape, x.data.clone());
        } else if (layer instanceof Upsample u) {
            return upsample(u.scale(), x);
        } else if (layer instanceof Pad2d p) {
            return pad(p, x);
        } else if (layer instanceof Affine a) {
            // batch-first: sample n, channel c covers sampleSize / C consecutive values
            int channels = x.shape.length > 1 ? x.shape[1] : 1;
            int plane = x.sampleSize() / channels;
            double[] d = new double[x.data.length];
            for (int i = 0; i < d.length; i++) {
                int c = (i / plane) % channels;
                d[i] = (double) a.scaleAt(c) * x.data[i] + a.shiftAt(c);
            }
            return new Value(x.shape, d);
        } else if (layer instanceof Embedding e) {
            return embedding(e, x);
        } else if (layer instanceof Add) {
            double[] d = new double[x.data.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = x.data[i] + args.get(1).data[i];
            }
            return new Value(x.shape, d);
        } else if (layer instanceof Concat) {
            return concat(args);
        }
        throw new IllegalArgumentException("no reference for " + layer);
    }

    /** Written from ONNX Pad's definition: reflect mirrors about the edge pixel, edge repeats it. */
    private static Value pad(Pad2d p, Value x) {
        int n = x.shape[0];
        int c = x.shape[1];
        int h = x.shape[2];
        int w = x.shape[3];
        int oh = h + p.top() + p.bottom();
        int ow = w + p.left() + p.right();
        double[] y = new double[n * c * oh * ow];
        for (int plane = 0; plane < n * c; plane++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int si = reflectOrClamp(p.mode(), i - p.top(), h);
                    int sj = reflectOrClamp(p.mode(), j - p.left(), w);
                    y[(plane * oh + i) * ow + j] = si < 0 || sj < 0 ? 0 : x.data[(plane * h + si) * w + sj];
                }
            }
        }
        return new Value(new int[] {n, c, oh, ow}, y);
    }

    private static int reflectOrClamp(Pad2d.Mode mode, int i, int size) {
        if (i >= 0 && i < size) {
            return i;
        }
        if (mode == Pad2d.Mode.ZERO) {
            return -1;
        }
        if (mode == Pad2d.Mode.EDGE) {
            return Math.max(0, Math.min(size - 1, i));
        }
        int period = 2 * (size - 1);
        int m = Math.floorMod(i, period);
        return m < size ? m : period - m;
    }

    private static Value linear(Linear l, Value x) {
        int n = x.batch();
        float[] w = l.weight().data();
        double[] y = new double[n * l.out()];
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < l.out(); o++) {
                double acc = l.bias() == null ? 0 : l.bias().data()[o];
                for (int i = 0; i < l.in(); i++) {
                    acc += (double) w[o * l.in() + i] * x.data[s * l.in() + i];
                }
                y[s * l.out() + o] = acc;
            }
        }
        return new Value(new int[] {n, l.out()}, y);
    }

    private static Value conv(Conv2d c, Value x) {
        int n = x.batch();
        int h = x.shape[2];
        int w = x.shape[3];
        Kernel2d k = c.kernel();
        int oh = k.convOutH(h);
        int ow = k.convOutW(w);
        float[] wt = c.weight().data();
        double[] y = new double[n * c.out() * oh * ow];
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < c.out(); o++) {
                for (int yh = 0; yh < oh; yh++) {
                    for (int yw = 0; yw < ow; yw++) {
                        double acc = c.bias() == null ? 0 : c.bias().data()[o];
                        // filter o reads the in / groups channels of its group
                        int first = o / c.outPerGroup() * c.inPerGroup();
                        for (int i = 0; i < c.inPerGroup(); i++) {
                            for (int a = 0; a < k.kh(); a++) {
                                for (int b = 0; b < k.kw(); b++) {
                                    int ih = yh * k.strideH() - k.padH() + a * k.dilationH();
                                    int iw = yw * k.strideW() - k.padW() + b * k.dilationW();
                                    if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                        acc += wt[((o * c.inPerGroup() + i) * k.kh() + a) * k.kw() + b]
                                                * x.data[((s * c.in() + first + i) * h + ih) * w + iw];
                                    }
                                }
                            }
                        }
                        y[((s * c.out() + o) * oh + yh) * ow + yw] = acc;
                    }
                }
            }
        }
        return new Value(new int[] {n, c.out(), oh, ow}, y);
    }

    /** Scatter form: input pixel (ih, iw) adds W[i, o] at output (ih s - p + a, iw s - p + b). */
    private static Value convTranspose(ConvTranspose2d c, Value x) {
        int n = x.batch();
        int h = x.shape[2];
        int w = x.shape[3];
        Kernel2d k = c.kernel();
        int oh = k.transposedOutH(h, c.outputPadH());
        int ow = k.transposedOutW(w, c.outputPadW());
        float[] wt = c.weight().data();
        double[] y = new double[n * c.out() * oh * ow];
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < c.out(); o++) {
                double bias = c.bias() == null ? 0 : c.bias().data()[o];
                for (int p = 0; p < oh * ow; p++) {
                    y[(s * c.out() + o) * oh * ow + p] = bias;
                }
            }
            for (int i = 0; i < c.in(); i++) {
                for (int ih = 0; ih < h; ih++) {
                    for (int iw = 0; iw < w; iw++) {
                        double v = x.data[((s * c.in() + i) * h + ih) * w + iw];
                        for (int o = 0; o < c.out(); o++) {
                            for (int a = 0; a < k.kh(); a++) {
                                for (int b = 0; b < k.kw(); b++) {
                                    int yh = ih * k.strideH() - k.padH() + a * k.dilationH();
                                    int yw = iw * k.strideW() - k.padW() + b * k.dilationW();
                                    if (yh >= 0 && yh < oh && yw >= 0 && yw < ow) {
                                        y[((s * c.out() + o) * oh + yh) * ow + yw] +=
                                                v * wt[((i * c.out() + o) * k.kh() + a) * k.kw() + b];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return new Value(new int[] {n, c.out(), oh, ow}, y);
    }

    private static Value batchNorm(BatchNorm2d b, Value x) {
        int plane = x.shape[2] * x.shape[3];
        double[] y = new double[x.data.length];
        for (int s = 0; s < x.batch(); s++) {
            for (int c = 0; c < b.channels(); c++) {
                double scale = b.gamma().data()[c] / Math.sqrt((double) b.runningVar().data()[c] + b.eps());
                double shift = b.beta().data()[c] - b.runningMean().data()[c] * scale;
                int base = (s * b.channels() + c) * plane;
                for (int p = 0; p < plane; p++) {
                    y[base + p] = x.data[base + p] * scale + shift;
                }
            }
        }
        return new Value(x.shape, y);
    }

    private static Value instanceNorm(InstanceNorm2d n, Value x) {
        int plane = x.shape[2] * x.shape[3];
        double[] y = new double[x.data.length];
        for (int s = 0; s < x.batch(); s++) {
            for (int c = 0; c < n.channels(); c++) {
                int base = (s * n.channels() + c) * plane;
                double mean = 0;
                for (int p = 0; p < plane; p++) {
                    mean += x.data[base + p];
                }
                mean /= plane;
                double var = 0;
                for (int p = 0; p < plane; p++) {
                    double d = x.data[base + p] - mean;
                    var += d * d;
                }
                var /= plane;
                double scale = n.gamma().data()[c] / Math.sqrt(var + n.eps());
                for (int p = 0; p < plane; p++) {
                    y[base + p] = (x.data[base + p] - mean) * scale + n.beta().data()[c];
                }
            }
        }
        return new Value(x.shape, y);
    }

    private static Value activation(Activation a, Value x) {
        double[] y = new double[x.data.length];
        for (int i = 0; i < y.length; i++) {
            double v = x.data[i];
            y[i] = switch (a.function()) {
                case RELU -> Math.max(0, v);
                case LEAKY_RELU -> v >= 0 ? v : a.alpha() * v;
                case TANH -> Math.tanh(v);
                case SIGMOID -> 1 / (1 + Math.exp(-v));
                case CLIP -> Math.min(Math.max(v, a.alpha()), a.beta());
            };
        }
        return new Value(x.shape, y);
    }

    private static Value upsample(int scale, Value x) {
        int n = x.batch();
        int c = x.shape[1];
        int h = x.shape[2];
        int w = x.shape[3];
        double[] y = new double[x.data.length * scale * scale];
        for (int s = 0; s < n * c; s++) {
            for (int yh = 0; yh < h * scale; yh++) {
                for (int yw = 0; yw < w * scale; yw++) {
                    y[(s * h * scale + yh) * w * scale + yw] = x.data[(s * h + yh / scale) * w + yw / scale];
                }
            }
        }
        return new Value(new int[] {n, c, h * scale, w * scale}, y);
    }

    private static Value embedding(Embedding e, Value labels) {
        int n = labels.batch();
        double[] y = new double[n * e.dim()];
        for (int s = 0; s < n; s++) {
            int label = (int) labels.data[s];
            for (int j = 0; j < e.dim(); j++) {
                y[s * e.dim() + j] = e.table().data()[label * e.dim() + j];
            }
        }
        return new Value(new int[] {n, e.dim()}, y);
    }

    /** Axis 1 is the first per-sample axis, so each sample's output is its inputs' sample blocks in order. */
    private static Value concat(List<Value> args) {
        int n = args.get(0).batch();
        int total = 0;
        int channels = 0;
        for (Value v : args) {
            total += v.sampleSize();
            channels += v.shape[1];
        }
        double[] y = new double[n * total];
        int offset = 0;
        for (int s = 0; s < n; s++) {
            for (Value v : args) {
                System.arraycopy(v.data, s * v.sampleSize(), y, offset, v.sampleSize());
                offset += v.sampleSize();
            }
        }
        int[] shape = args.get(0).shape.clone();
        shape[1] = channels;
        return new Value(shape, y);
    }
}
