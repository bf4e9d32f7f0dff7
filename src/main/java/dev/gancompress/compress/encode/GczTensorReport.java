package dev.gancompress.compress.encode;

/**
 * One tensor of a .gcz file as stored: what {@code info} shows and the Deep-Compression table sums.
 *
 * @param name        ONNX initializer name (e.g. "conv1.weight", "fc.weight.quantized")
 * @param storage     the IR storage kind from the model's metadata ("fp32", "int8", "codebook", ...)
 * @param elements    number of values
 * @param bytes       bytes of its section, descriptor and CRC included
 * @param layout      dense, relative-Nbit or csr
 * @param values      codes, dictionary-K or byte-planes
 * @param codecs      the codecs chosen for its streams
 * @param entropyBits the summed empirical entropy of its streams
 */
public record GczTensorReport(String name, String storage, long elements, long bytes, String layout, String values,
                              String codecs, double entropyBits) {
    public double bitsPerValue() {
        return elements == 0 ? 0 : bytes * 8.0 / elements;
    }
}
