package dev.gancompress.onnx;

import dev.gancompress.model.WeightStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * ONNX graphs written the way {@code torch.onnx.export} (opset 17) and tf2onnx (opset 13) write small generators,
 * node for node, with seeded weights: the foreign files the importer must accept. Built as protos and encoded with
 * the project's protobuf writer.
 */
public final class ExporterGraphs {
    private final Random rnd;
    private final List<OnnxNode> nodes = new ArrayList<>();
    private final List<OnnxTensor> initializers = new ArrayList<>();

    public ExporterGraphs(long seed) {
        this.rnd = new Random(seed);
    }

    /**
     * A PyTorch DCGAN generator: z [batch, 16] -> Linear -> {@code x.view(x.size(0), 8, 4, 4)} (the dynamic Shape ->
     * Gather -> Unsqueeze -> Concat -> Reshape chain) -> BN -> ReLU -> ConvT(4, s2, p1) -> BN -> LeakyReLU(0.2) ->
     * Dropout -> ConvT(3, s2, p1, output_padding 1) -> Conv(3, p1) -> Tanh: image [batch, 3, 16, 16].
     */
    public OnnxModelProto pytorchDcgan() {
        gemm("/fc/Gemm", "z", "fc", 16, 128, "/fc/Gemm_output_0");
        node("/Shape", "Shape", List.of("/fc/Gemm_output_0"), "/Shape_output_0");
        constant("/Constant", OnnxTensor.ofLongs("", new long[] {}, new long[] {0}));
        node("/Gather", "Gather", List.of("/Shape_output_0", "/Constant_output_0"), "/Gather_output_0",
                OnnxAttribute.ofInt("axis", 0));
        constant("/Constant_1", OnnxTensor.ofLongs("", new long[] {1}, new long[] {0}));
        node("/Unsqueeze", "Unsqueeze", List.of("/Gather_output_0", "/Constant_1_output_0"), "/Unsqueeze_output_0");
        constant("/Constant_2", OnnxTensor.ofLongs("", new long[] {1}, new long[] {8}));
        constant("/Constant_3", OnnxTensor.ofLongs("", new long[] {1}, new long[] {4}));
        node("/Concat", "Concat", List.of("/Unsqueeze_output_0", "/Constant_2_output_0", "/Constant_3_output_0",
                "/Constant_3_output_0"), "/Concat_output_0", OnnxAttribute.ofInt("axis", 0));
        node("/Reshape", "Reshape", List.of("/fc/Gemm_output_0", "/Concat_output_0"), "/Reshape_output_0");
        batchNorm("/bn1/BatchNormalization", "/Reshape_output_0", "bn1", 8, "/bn1/BatchNormalization_output_0");
        node("/act1/Relu", "Relu", List.of("/bn1/BatchNormalization_output_0"), "/act1/Relu_output_0");
        convTranspose("/up1/ConvTranspose", "/act1/Relu_output_0", "up1", 8, 6, 4, 0, "/up1/ConvTranspose_output_0");
        batchNorm("/bn2/BatchNormalization", "/up1/ConvTranspose_output_0", "bn2", 6, "/bn2/out");
        node("/act2/LeakyRelu", "LeakyRelu", List.of("/bn2/out"), "/act2/out", OnnxAttribute.ofFloat("alpha", 0.2f));
        node("/drop/Dropout", "Dropout", List.of("/act2/out"), "/drop/out");
        convTranspose("/up2/ConvTranspose", "/drop/out", "up2", 6, 4, 3, 1, "/up2/out");
        conv("/out/Conv", "/up2/out", "out", 4, 3, 3, 1, "/out/Conv_output_0");
        node("/Tanh", "Tanh", List.of("/out/Conv_output_0"), "image");
        return model("main_graph", List.of(info("z", OnnxTensor.FLOAT, "batch", 16L)),
                List.of(info("image", OnnxTensor.FLOAT, "batch", 3L, 16L, 16L)), 17);
    }

    /**
     * A CycleGAN-style residual block: reflect Pad -> Conv(3, p0) -> InstanceNorm -> ReLU -> zero Pad -> Conv(3, p0)
     * -> Add(skip) -> edge Pad (asymmetric) -> Resize(scales [1, 1, 2, 2], nearest, half_pixel) -> Sigmoid.
     */
    public OnnxModelProto pytorchResnetBlock() {
        initializers.add(OnnxTensor.ofLongs("pads1", new long[] {8}, new long[] {0, 0, 1, 1, 0, 0, 1, 1}));
        node("/pad1/Pad", "Pad", List.of("x", "pads1"), "/pad1/out", OnnxAttribute.ofString("mode", "reflect"));
        conv("/c1/Conv", "/pad1/out", "c1", 4, 4, 3, 0, "/c1/out");
        initializers.add(gaussian("in1.weight", 1, 4));
        initializers.add(gaussian("in1.bias", 0.1, 4));
        node("/in1/InstanceNormalization", "InstanceNormalization", List.of("/c1/out", "in1.weight", "in1.bias"),
                "/in1/out", OnnxAttribute.ofFloat("epsilon", 1e-5f));
        node("/r1/Relu", "Relu", List.of("/in1/out"), "/r1/out");
        constant("/pad2/Constant", OnnxTensor.ofLongs("", new long[] {8}, new long[] {0, 0, 1, 1, 0, 0, 1, 1}));
        node("/pad2/Pad", "Pad", List.of("/r1/out", "/pad2/Constant_output_0"), "/pad2/out",
                OnnxAttribute.ofString("mode", "constant"));
        conv("/c2/Conv", "/pad2/out", "c2", 4, 4, 3, 0, "/c2/out");
        node("/Add", "Add", List.of("x", "/c2/out"), "/Add_output_0");
        initializers.add(OnnxTensor.ofLongs("pads3", new long[] {8}, new long[] {0, 0, 0, 2, 0, 0, 1, 0}));
        node("/pad3/Pad", "Pad", List.of("/Add_output_0", "pads3"), "/pad3/out", OnnxAttribute.ofString("mode", "edge"));
        constant("/up/Constant", OnnxTensor.ofFloats("", new int[] {4}, new float[] {1, 1, 2, 2}));
        node("/up/Resize", "Resize", List.of("/pad3/out", "", "/up/Constant_output_0"), "/up/out",
                OnnxAttribute.ofString("mode", "nearest"));
        node("/Sigmoid", "Sigmoid", List.of("/up/out"), "y");
        return model("main_graph", List.of(info("x", OnnxTensor.FLOAT, "batch", 4L, 6L, 6L)),
                List.of(info("y", OnnxTensor.FLOAT, "batch", 4L, 14L, 16L)), 17);
    }

    /**
     * A Keras generator through tf2onnx: Dense as MatMul + Add, a Reshape to NHWC [4, 4, 8] and a Transpose to NCHW,
     * Conv2DTranspose, a "same" Conv (auto_pad SAME_UPPER), tanh, and a Transpose back to NHWC [8, 8, 3].
     */
    OnnxModelProto tf2onnxGenerator() {
        initializers.add(gaussian("dense/kernel", 0.3, 16, 128));
        initializers.add(gaussian("dense/bias", 0.1, 128));
        node("dense/MatMul", "MatMul", List.of("z:0", "dense/kernel"), "dense/MatMul:0");
        node("dense/BiasAdd", "Add", List.of("dense/MatMul:0", "dense/bias"), "dense/BiasAdd:0");
        initializers.add(OnnxTensor.ofLongs("new_shape", new long[] {4}, new long[] {-1, 4, 4, 8}));
        node("reshape/Reshape", "Reshape", List.of("dense/BiasAdd:0", "new_shape"), "reshape/Reshape:0");
        node("reshape/Reshape__6", "Transpose", List.of("reshape/Reshape:0"), "reshape/Reshape__6:0",
                OnnxAttribute.ofInts("perm", 0, 3, 1, 2));
        convTranspose("up/conv2d_transpose", "reshape/Reshape__6:0", "up", 8, 6, 4, 0, "up/conv2d_transpose:0");
        node("up/Relu", "Relu", List.of("up/conv2d_transpose:0"), "up/Relu:0");
        initializers.add(gaussian("out/kernel", 0.3, 3, 6, 3, 3));
        initializers.add(gaussian("out/bias", 0.1, 3));
        node("out/Conv2D", "Conv", List.of("up/Relu:0", "out/kernel", "out/bias"), "out/Conv2D:0",
                OnnxAttribute.ofString("auto_pad", "SAME_UPPER"), OnnxAttribute.ofInts("strides", 1, 1),
                OnnxAttribute.ofInts("kernel_shape", 3, 3));
        node("out/Tanh", "Tanh", List.of("out/Conv2D:0"), "out/Tanh:0");
        node("out/Tanh__9", "Transpose", List.of("out/Tanh:0"), "Identity:0", OnnxAttribute.ofInts("perm", 0, 2, 3, 1));
        return model("tf2onnx", List.of(info("z:0", OnnxTensor.FLOAT, "unk__12", 16L)),
                List.of(info("Identity:0", OnnxTensor.FLOAT, "unk__13", 8L, 8L, 3L)), 13);
    }

    /** A model exported with {@code .half()}: float16 input, weights and output around one Conv and a ReLU. */
    OnnxModelProto float16Conv() {
        initializers.add(half("conv.weight", gaussian("", 0.3, 3, 2, 3, 3)));
        initializers.add(half("conv.bias", gaussian("", 0.1, 3)));
        node("/conv/Conv", "Conv", List.of("x", "conv.weight", "conv.bias"), "/conv/out",
                OnnxAttribute.ofInts("pads", 1, 1, 1, 1), OnnxAttribute.ofInts("kernel_shape", 3, 3));
        node("/Relu", "Relu", List.of("/conv/out"), "y");
        return model("main_graph", List.of(info("x", OnnxTensor.FLOAT16, "batch", 2L, 5L, 5L)),
                List.of(info("y", OnnxTensor.FLOAT16, "batch", 3L, 5L, 5L)), 17);
    }

    void initializerForTest(OnnxTensor t) {
        initializers.add(t);
    }

    static OnnxTensor half(String name, OnnxTensor f) {
        int[] bits = new int[f.floats().length];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = WeightStorage.Fp16.toHalf(f.floats()[i]);
        }
        return OnnxTensor.ofInts(name, OnnxTensor.FLOAT16, f.dims(), bits);
    }

    public void node(String name, String op, List<String> in, String out, OnnxAttribute... attrs) {
        nodes.add(new OnnxNode(name, op, "", in, List.of(out), List.of(attrs)));
    }

    void constant(String name, OnnxTensor value) {
        node(name, "Constant", List.of(), name + "_output_0", OnnxAttribute.ofTensor("value", value));
    }

    public void gemm(String name, String x, String prefix, int in, int out, String y) {
        initializers.add(gaussian(prefix + ".weight", 0.3, out, in));
        initializers.add(gaussian(prefix + ".bias", 0.1, out));
        node(name, "Gemm", List.of(x, prefix + ".weight", prefix + ".bias"), y, OnnxAttribute.ofFloat("alpha", 1f),
                OnnxAttribute.ofFloat("beta", 1f), OnnxAttribute.ofInt("transB", 1));
    }

    void batchNorm(String name, String x, String prefix, int c, String y) {
        initializers.add(gaussian(prefix + ".weight", 1, c));
        initializers.add(gaussian(prefix + ".bias", 0.1, c));
        initializers.add(gaussian(prefix + ".running_mean", 0.1, c));
        float[] var = new float[c];
        for (int i = 0; i < c; i++) {
            var[i] = 0.5f + rnd.nextFloat();
        }
        initializers.add(OnnxTensor.ofFloats(prefix + ".running_var", new int[] {c}, var));
        node(name, "BatchNormalization", List.of(x, prefix + ".weight", prefix + ".bias", prefix + ".running_mean",
                prefix + ".running_var"), y, OnnxAttribute.ofFloat("epsilon", 1e-5f),
                OnnxAttribute.ofFloat("momentum", 0.9f));
    }

    void convTranspose(String name, String x, String prefix, int in, int out, int k, int outputPadding, String y) {
        initializers.add(gaussian(prefix + ".weight", 0.3, in, out, k, k));
        initializers.add(gaussian(prefix + ".bias", 0.1, out));
        node(name, "ConvTranspose", List.of(x, prefix + ".weight", prefix + ".bias"), y,
                OnnxAttribute.ofInts("dilations", 1, 1), OnnxAttribute.ofInt("group", 1),
                OnnxAttribute.ofInts("kernel_shape", k, k), OnnxAttribute.ofInts("output_padding", outputPadding,
                        outputPadding), OnnxAttribute.ofInts("pads", 1, 1, 1, 1), OnnxAttribute.ofInts("strides", 2, 2));
    }

    void conv(String name, String x, String prefix, int in, int out, int k, int pad, String y) {
        initializers.add(gaussian(prefix + ".weight", 0.3, out, in, k, k));
        initializers.add(gaussian(prefix + ".bias", 0.1, out));
        node(name, "Conv", List.of(x, prefix + ".weight", prefix + ".bias"), y,
                OnnxAttribute.ofInts("dilations", 1, 1), OnnxAttribute.ofInt("group", 1),
                OnnxAttribute.ofInts("kernel_shape", k, k), OnnxAttribute.ofInts("pads", pad, pad, pad, pad),
                OnnxAttribute.ofInts("strides", 1, 1));
    }

    OnnxTensor gaussian(String name, double sigma, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * sigma);
        }
        return OnnxTensor.ofFloats(name, dims, v);
    }

    /** dims: a String is a symbolic dimension, a Long a fixed one. */
    public static OnnxValueInfo info(String name, int type, Object... dims) {
        List<OnnxValueInfo.Dimension> d = new ArrayList<>();
        for (Object o : dims) {
            d.add(o instanceof String s ? OnnxValueInfo.Dimension.symbolic(s)
                    : OnnxValueInfo.Dimension.fixed((Long) o));
        }
        return new OnnxValueInfo(name, type, d, "");
    }

    public OnnxModelProto model(String name, List<OnnxValueInfo> in, List<OnnxValueInfo> out, long opset) {
        return new OnnxModelProto(8, "pytorch", "2.5.0", List.of(new OnnxModelProto.OpsetId("", opset)),
                new OnnxGraph(name, nodes, initializers, in, out), Map.of());
    }

    public static byte[] bytes(OnnxModelProto proto) {
        return ProtoWriter.encode(proto);
    }
}
