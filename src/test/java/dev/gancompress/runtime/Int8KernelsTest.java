package dev.gancompress.runtime;

import dev.gancompress.TestModels;
import dev.gancompress.compress.quantize.ActivationCalibration;
import dev.gancompress.compress.quantize.ActivationQuantizationConfig;
import dev.gancompress.compress.quantize.PostTrainingQuantization;
import dev.gancompress.compress.quantize.QuantizationConfig;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxModelProto;
import dev.gancompress.onnx.OnnxNode;
import dev.gancompress.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The int8 DCGAN generator (int8 weights, uint8 activations) runs on ONNX Runtime's integer kernels: the graph ORT
 * optimises and executes, read back with the project's own ONNX reader, has QLinearConv for every convolution
 * (the transposed ones in their sub-pixel form) and QGemm for the fully connected layer, and no float Conv,
 * ConvTranspose or Gemm; its output equals the engine's fake-quantised forward within one step of the output grid.
 */
class Int8KernelsTest {
    static final DcganSpec SMALL = new DcganSpec(16, 1, 28, 8, 8, 0, 0);

    static Model int8Generator(DcganSpec spec, long seed) {
        // weights ~ N(0, 1/fan-in) and BN statistics of that scale: activations of order 1, as in a trained model
        Model g = TestModels.randomize(Dcgan.generator(spec), seed);
        Model weights = new PostTrainingQuantization(QuantizationConfig.integers(8)).apply(g, null);
        return new ActivationCalibration(ActivationQuantizationConfig.percentile(128)).apply(weights, null);
    }

    static List<OnnxNode> optimizedNodes(byte[] onnx, Path dir) throws Exception {
        Path file = dir.resolve("optimized.onnx");
        OnnxRuntimeBackend.writeOptimizedModel(onnx, file);
        OnnxModelProto proto = OnnxImporter.parse(Files.readAllBytes(file), file.toString());
        return proto.graph().nodes();
    }

    @Test
    void ortRunsEveryConvolutionAndTheGemmAsInt8Kernels(@TempDir Path dir) throws Exception {
        Model int8 = int8Generator(SMALL, 3);
        List<String> ops = optimizedNodes(OnnxExporter.toBytes(int8, Map.of()), dir).stream()
                .map(OnnxNode::opType).toList();
        assertThat(ops).as("optimised graph %s", ops).filteredOn("QLinearConv"::equals).hasSize(3);
        assertThat(ops).as("optimised graph %s", ops).contains("QGemm")
                .doesNotContain("ConvTranspose", "Conv", "Gemm", "FusedConv", "MatMul");
    }

    @Test
    void bundledTeacherRunsOnInt8KernelsAndAgreesWithinOneOutputStep() {
        Model fp32 = OnnxImporter.read(Path.of("models/dcgan-fashion.onnx"));
        Model int8 = ActivationCalibration.int8(fp32, ActivationQuantizationConfig.percentile(64), 1);
        byte[] onnx = OnnxExporter.toBytes(int8, Map.of());
        Map<String, Integer> ops = Int8Throughput.operators(onnx);
        assertThat(ops).as("%s", ops).containsEntry("QLinearConv", 3).containsEntry("QGemm", 1)
                .doesNotContainKeys("ConvTranspose", "Conv", "Gemm", "FusedConv");
        OnnxVerification.Result r = OnnxVerification.check(int8, onnx, "dcgan-fashion-int8.onnx");
        assertThat(r.maxAbsDifference()).isLessThanOrEqualTo(r.tolerance());
        assertThat(r.tolerance()).isEqualTo(int8.quantizedActivations().get("to_image").scale(),
                org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void ortOutputEqualsTheFakeQuantisedEngineWithinOneOutputStep() {
        Model int8 = int8Generator(SMALL, 5);
        double step = OnnxVerification.tolerance(int8);
        assertThat(step).isGreaterThan(OnnxVerification.FP32_TOLERANCE)
                .isEqualTo(int8.quantizedActivations().get("to_image").scale(), org.assertj.core.data.Offset.offset(1e-12));
        Map<String, Tensor> feeds = OnnxVerification.seededBatch(int8);
        Tensor engine = new Network(int8).forward(feeds, false);
        Tensor ort;
        try (OnnxRuntimeBackend b = new OnnxRuntimeBackend(OnnxExporter.toBytes(int8, Map.of()), 1)) {
            ort = b.run(feeds);
        }
        double worst = 0;
        for (int i = 0; i < engine.data().length; i++) {
            worst = Math.max(worst, Math.abs(engine.data()[i] - ort.data()[i]));
        }
        System.out.printf("int8 DCGAN: ORT vs engine max |diff| %.3g, output step %.3g%n", worst, step);
        assertThat(worst).isLessThanOrEqualTo(step);
        // and the check every written model passes uses that tolerance
        OnnxVerification.Result r = OnnxVerification.check(int8, OnnxExporter.toBytes(int8, Map.of()), "int8.onnx");
        assertThat(r.tolerance()).isEqualTo(step);
    }
}
