package dev.gancompress.onnx;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A one-node ONNX model Y[m, n] (int32) = MatMulInteger(A[m, k] (uint8, input), B[k, n] (int8, initializer)):
 * the u8 x s8 product that ONNX Runtime's int8 convolutions reduce to, for measuring the machine's int8 GEMM
 * throughput in the same run as a benchmark. B is a seeded initializer and A an input, so ORT cannot fold the
 * product away at load time.
 */
public final class MatMulIntegerModel {
    public static final String INPUT = "a";
    public static final String OUTPUT = "y";

    private MatMulIntegerModel() {
    }

    public static byte[] build(int m, int k, int n, long seed) {
        if (m < 1 || k < 1 || n < 1) {
            throw new IllegalArgumentException("MatMulInteger needs m, k, n >= 1, got " + m + ", " + k + ", " + n);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] b = new int[k * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextInt(-127, 128);
        }
        OnnxTensor weights = OnnxTensor.ofInts("b", OnnxTensor.INT8, new long[] {k, n}, b);
        OnnxNode node = new OnnxNode("matmul", "MatMulInteger", "", List.of(INPUT, "b"), List.of(OUTPUT), List.of());
        OnnxValueInfo in = new OnnxValueInfo(INPUT, OnnxTensor.UINT8, List.of(OnnxValueInfo.Dimension.fixed(m),
                OnnxValueInfo.Dimension.fixed(k)), "");
        OnnxValueInfo out = new OnnxValueInfo(OUTPUT, OnnxTensor.INT32, List.of(OnnxValueInfo.Dimension.fixed(m),
                OnnxValueInfo.Dimension.fixed(n)), "");
        OnnxGraph graph = new OnnxGraph("int8-gemm", List.of(node), List.of(weights), List.of(in), List.of(out));
        return ProtoWriter.encode(new OnnxModelProto(OnnxExporter.IR_VERSION, "gancompress", "0.1.0",
                List.of(new OnnxModelProto.OpsetId("", OnnxExporter.OPSET)), graph, Map.of()));
    }
}
