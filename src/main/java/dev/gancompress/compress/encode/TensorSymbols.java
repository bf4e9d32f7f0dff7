package dev.gancompress.compress.encode;

import dev.gancompress.onnx.OnnxTensor;

/**
 * A stored ONNX tensor as one int per element: integer codes (int8, uint8, int4, uint4) and 16-bit float bit
 * patterns shifted to start at 0, float32 as its raw bit pattern (so -0.0 and NaN payloads survive bit-exactly).
 *
 * @param zero the element of an exact zero value, what sparse layouts leave out
 */
record TensorSymbols(int dataType, int[] elements, int zero) {
    static boolean supports(OnnxTensor t) {
        return t.dataType() == OnnxTensor.FLOAT ? t.floats() != null
                : OnnxTensor.holdsInts(t.dataType()) && t.ints() != null;
    }

    static TensorSymbols of(OnnxTensor t) {
        if (t.dataType() == OnnxTensor.FLOAT) {
            float[] f = t.floats();
            int[] e = new int[f.length];
            for (int i = 0; i < f.length; i++) {
                e[i] = Float.floatToRawIntBits(f[i]);
            }
            return new TensorSymbols(t.dataType(), e, 0);
        }
        int min = OnnxTensor.minValue(t.dataType());
        int[] v = t.ints();
        int[] e = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            e[i] = v[i] - min;
        }
        return new TensorSymbols(t.dataType(), e, -min);
    }

    boolean isFloat() {
        return dataType == OnnxTensor.FLOAT;
    }

    /** Element alphabet of the integer types (2^bits); float32 elements use the full 32 bits. */
    static int intAlphabet(int dataType) {
        return OnnxTensor.maxValue(dataType) - OnnxTensor.minValue(dataType) + 1;
    }

    OnnxTensor toTensor(String name, long[] dims) {
        if (isFloat()) {
            float[] f = new float[elements.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = Float.intBitsToFloat(elements[i]);
            }
            return new OnnxTensor(name, dataType, dims, f, null, null);
        }
        int min = OnnxTensor.minValue(dataType);
        int[] v = new int[elements.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = elements[i] + min;
        }
        return OnnxTensor.ofInts(name, dataType, dims, v);
    }
}
