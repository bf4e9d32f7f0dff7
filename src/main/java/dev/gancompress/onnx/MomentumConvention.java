package dev.gancompress.onnx;

import java.math.BigDecimal;

/**
 * BatchNorm momentum in the two conventions: PyTorch (and the IR) weights the batch statistic,
 * new = (1 - m) old + m batch; ONNX weights the running one, new = m old + (1 - m) batch. So ONNX m = 1 - PyTorch m.
 *
 * <p>The subtraction is done on the shortest decimal forms (0.1 -> 0.9 -> 0.1) rather than in binary: float
 * 1 - 0.9f is 0.10000002f, so binary arithmetic would not give back the momentum the user set. Momenta with up
 * to three decimals (0.1, 0.01, 0.05, 0.003, ...) round-trip exactly; an arbitrary float may come back a few ulps
 * off, because floats near 1 are coarser than near 0 and the map cannot be inverted there.
 */
final class MomentumConvention {
    private MomentumConvention() {
    }

    static float toOnnx(float pytorchMomentum) {
        return complement(pytorchMomentum);
    }

    static float fromOnnx(float onnxMomentum) {
        return complement(onnxMomentum);
    }

    private static float complement(float m) {
        return BigDecimal.ONE.subtract(new BigDecimal(Float.toString(m))).floatValue();
    }
}
