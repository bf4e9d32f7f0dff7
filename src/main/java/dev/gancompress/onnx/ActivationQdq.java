package dev.gancompress.onnx;

import dev.gancompress.model.ActivationQuantization;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Quantised activations in ONNX, both ways. A value v with an {@link ActivationQuantization} is followed by
 * QuantizeLinear ("v.activation_quantize", output "v.activation_quantized", uint8) and DequantizeLinear
 * ("v.activation_dequantize", output "v.activation"), whose scalar parameters are the initializers
 * "v.activation_scale" and "v.activation_zero_point"; the consumers of v read "v.activation". That pair on the input
 * and output of a Conv or Gemm whose weight is an int8 DequantizeLinear is the pattern ONNX Runtime's graph
 * optimiser fuses into QLinearConv or QGemm.
 *
 * <p>Biases of such layers: the int8 kernels add an int32 bias in units of input scale x weight scale, so the
 * exporter writes it as int32 codes ("t.quantized", rounded to that grid) with a DequantizeLinear. The rounding moves
 * a bias by at most half of input scale x weight scale, far below one step of the output grid; the engine keeps the
 * float bias and the verification tolerance (one output step) covers the difference.
 */
final class ActivationQdq {
    static final String QUANTIZE = "QuantizeLinear";
    static final String SUFFIX = ".activation";

    /** The nodes and initializers of one pair. */
    record Exported(List<OnnxTensor> initializers, List<OnnxNode> nodes, String output) {
    }

    private ActivationQdq() {
    }

    /** Q and DQ of {@code value}, named after {@code name} (the IR value). */
    static Exported export(String name, String value, ActivationQuantization grid) {
        String scale = name + SUFFIX + "_scale";
        String zeroPoint = name + SUFFIX + "_zero_point";
        String quantized = name + SUFFIX + "_quantized";
        String output = name + SUFFIX;
        List<OnnxTensor> tensors = List.of(
                new OnnxTensor(scale, OnnxTensor.FLOAT, new long[0], new float[] {grid.scale()}, null),
                OnnxTensor.ofInts(zeroPoint, OnnxTensor.UINT8, new long[0], new int[] {grid.zeroPoint()}));
        List<OnnxNode> nodes = List.of(
                new OnnxNode(name + SUFFIX + "_quantize", QUANTIZE, "", List.of(value, scale, zeroPoint),
                        List.of(quantized), List.of()),
                new OnnxNode(name + SUFFIX + "_dequantize", QdqWeights.DEQUANTIZE, "",
                        List.of(quantized, scale, zeroPoint), List.of(output), List.of()));
        return new Exported(tensors, nodes, output);
    }

    /**
     * Whether a layer's bias should be written as int32 for an int8 kernel: its input is quantised, its weight is an
     * integer of 5 to 8 bits (an INT8 container) and the bias itself is fp32.
     */
    static boolean int32Bias(ActivationQuantization input, Weights weight, Weights bias) {
        return input != null && bias != null && !bias.storage().isLossy()
                && weight.storage() instanceof WeightStorage.IntN n && n.bits() > 4;
    }

    /** The bias as int32 codes on the grid input scale x weight scale (per output channel when the weight is). */
    static QdqWeights.Exported exportBias(String name, Weights bias, ActivationQuantization input,
                                          WeightStorage.IntN weightStorage) {
        int channels = bias.size();
        boolean perChannel = weightStorage.axis() >= 0;
        float[] scales = new float[perChannel ? channels : 1];
        for (int c = 0; c < scales.length; c++) {
            scales[c] = input.scale() * weightStorage.scale(perChannel ? c : 0);
        }
        int[] codes = new int[channels];
        for (int c = 0; c < channels; c++) {
            double q = Math.rint((double) bias.data()[c] / scales[perChannel ? c : 0]);
            codes[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, q));
        }
        long[] paramDims = perChannel ? new long[] {channels} : new long[0];
        List<OnnxTensor> tensors = new ArrayList<>();
        tensors.add(OnnxTensor.ofInts(name + ".quantized", OnnxTensor.INT32, new long[] {channels}, codes));
        tensors.add(new OnnxTensor(name + ".scale", OnnxTensor.FLOAT, paramDims, scales, null));
        List<OnnxAttribute> attrs = perChannel ? List.of(OnnxAttribute.ofInt("axis", 0)) : List.of();
        return new QdqWeights.Exported(tensors, new OnnxNode(name + ".dequantize", QdqWeights.DEQUANTIZE, "",
                List.of(name + ".quantized", name + ".scale"), List.of(name), attrs));
    }

    /** Whether {@code node} is a DequantizeLinear of an int32 constant: a bias written for an int8 kernel. */
    static boolean isInt32Bias(OnnxNode node, Map<String, OnnxTensor> constants) {
        if (!node.opType().equals(QdqWeights.DEQUANTIZE) || node.inputs().isEmpty()) {
            return false;
        }
        OnnxTensor x = constants.get(node.input(0));
        return x != null && x.dataType() == OnnxTensor.INT32;
    }

    /** The float bias an int32 DequantizeLinear represents (zero point 0, per tensor or along axis 0). */
    static OnnxTensor decodeBias(OnnxNode node, Map<String, OnnxTensor> constants) {
        OnnxTensor x = constants.get(node.input(0));
        OnnxTensor scale = constants.get(node.input(1));
        if (scale == null || scale.floats() == null || x.rank() != 1
                || (scale.size() != 1 && scale.size() != x.size())) {
            throw new OnnxLayerDecoder.Unsupported("int32 DequantizeLinear of '" + x.name() + "' needs a constant "
                    + "float32 scale per tensor or per element of a vector");
        }
        if (node.inputs().size() > 2 && !node.input(2).isEmpty()) {
            OnnxTensor zp = constants.get(node.input(2));
            if (zp == null || zp.ints() == null || java.util.Arrays.stream(zp.ints()).anyMatch(z -> z != 0)) {
                throw new OnnxLayerDecoder.Unsupported("int32 DequantizeLinear of '" + x.name()
                        + "' must have zero point 0");
            }
        }
        int[] codes = x.ints();
        float[] values = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            values[i] = codes[i] * scale.floats()[scale.size() == 1 ? 0 : i];
        }
        return new OnnxTensor(node.outputs().get(0), OnnxTensor.FLOAT, x.dims(), values, null);
    }

    /**
     * The grid of a QuantizeLinear of an activation with constant scalar float scale and uint8 zero point, or null
     * when the node has another form (which the importer then refuses).
     */
    static ActivationQuantization grid(OnnxNode node, Map<String, OnnxTensor> constants) {
        OnnxTensor scale = constants.get(node.input(1));
        OnnxTensor zp = node.inputs().size() > 2 ? constants.get(node.input(2)) : null;
        if (scale == null || scale.floats() == null || scale.size() != 1 || zp == null
                || zp.dataType() != OnnxTensor.UINT8 || zp.size() != 1) {
            return null;
        }
        return new ActivationQuantization(scale.floats()[0], zp.ints()[0]);
    }
}
