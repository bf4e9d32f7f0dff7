package dev.gancompress.cli;

import dev.gancompress.AtomicFiles;
import dev.gancompress.compress.encode.CentroidInit;
import dev.gancompress.compress.encode.GczContents;
import dev.gancompress.compress.encode.GczReader;
import dev.gancompress.compress.encode.GczWriter;
import dev.gancompress.compress.encode.WeightSharing;
import dev.gancompress.compress.encode.WeightSharingConfig;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.model.Model;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxModelProto;
import dev.gancompress.runtime.OnnxVerification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Write a model as a .gcz container: each tensor stored as the model's storage says (fp32, "
                + "int8, codebook, pruned...) and entropy-coded with the smallest of raw, Huffman and rANS, dense or "
                + "sparse; a CRC32C per section. With --share-bits, k-means weight sharing is applied first.")
final class EncodeCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    VerifyOption verifyOption = new VerifyOption();

    @Parameters(index = "0", description = "Model file (ONNX or .gcz).")
    Path input;

    @Option(names = "--out", required = true, description = ".gcz file to write.")
    Path out;

    @Option(names = "--share-bits", description = "Apply weight sharing with 2^N centroids per layer first (1-8).")
    Integer shareBits;

    @Option(names = "--init", defaultValue = "linear",
            description = "Centroid initialisation of --share-bits: linear, density or random (default ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of --init random (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        Model model = ModelFiles.read(input);
        dev.gancompress.Provenance provenance = dev.gancompress.Provenance.of(Main.invocation())
                .withInput("source", input);
        if (shareBits != null) {
            WeightSharingConfig config = new WeightSharingConfig(shareBits, CentroidInit.parse(init), null, seed,
                    null, false);
            model = new WeightSharing(config).apply(model, null);
            provenance = provenance.withSeed(seed);
        }
        OnnxModelProto proto = OnnxExporter.toProto(model, provenance.metadata());
        if (verifyOption.verify()) {
            ModelFiles.report(out, OnnxVerification.check(model, OnnxExporter.toBytes(proto), out.toString()));
        }
        GczWriter.Encoded encoded = GczWriter.encode(proto);
        // the file must decode to exactly what was encoded before it replaces anything
        if (!GczContents.sameInitializers(proto, GczReader.read(encoded.bytes(), out.toString()).proto())) {
            throw new IllegalStateException("internal error: " + out + " does not decode to the tensors encoded");
        }
        AtomicFiles.writeBytes(out, encoded.bytes());
        System.out.print(encoded.contents().toTable());
        long fp32 = fp32Bytes(model);
        System.out.printf(Locale.ROOT, "wrote %s: %,d bytes; the model as fp32 ONNX: %,d bytes (%.2fx smaller); "
                        + "input %s: %,d bytes%n", out, encoded.bytes().length, fp32,
                (double) fp32 / encoded.bytes().length, input, size(input));
        return ExitCode.OK.code();
    }

    /** The same graph with every weight stored as plain fp32: the reference size of compression ratios. */
    static long fp32Bytes(Model model) {
        Model plain = model.copy();
        for (var slot : plain.weightSlots().values()) {
            var w = slot.weights();
            float[] values = w.effectiveValues();
            System.arraycopy(values, 0, w.data(), 0, values.length);
            w.setStorage(dev.gancompress.model.WeightStorage.fp32());
        }
        return OnnxExporter.toBytes(plain, Map.of()).length;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
