package dev.gancompress.compress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gancompress.TestImages;
import dev.gancompress.compress.prune.ChannelCriterion;
import dev.gancompress.compress.prune.ChannelPruning;
import dev.gancompress.compress.quantize.QuantizationConfig;
import dev.gancompress.model.Model;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.ExporterGraphs;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import dev.gancompress.runtime.VerifiedModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A teacher brought as a PyTorch export (dynamic reshape chain, Dropout, explicit pads) goes through channel
 * pruning and weight quantisation like a native one, and the file written at the end runs in ONNX Runtime to the
 * engine's output.
 */
class ImportedTeacherTest {
    @TempDir
    Path dir;

    @Test
    void pytorchTeacherIsPrunedQuantisedAndWritten() throws IOException {
        Path theirs = Files.write(dir.resolve("g.onnx"), ExporterGraphs.bytes(new ExporterGraphs(4).pytorchDcgan()));
        Model teacher = OnnxImporter.read(theirs);

        Model pruned = new ChannelPruning(ChannelPruning.Config.uniform(0.5, ChannelCriterion.L1_NORM))
                .apply(teacher, null);
        assertThat(pruned.macs()).isLessThan(teacher.macs());
        assertThat(pruned.shape("/Reshape").channels()).isEqualTo(4);
        assertThat(pruned.outputShape()).isEqualTo(teacher.outputShape());

        Model quantised = CompressionRegistry.create("ptq-weights",
                new QuantizationConfig(8, "symmetric", "per-channel", null, List.of())).apply(pruned, null);
        assertThat(quantised.node("/up1/ConvTranspose").layer().weights().get(0).weights().storage())
                .isInstanceOf(WeightStorage.IntN.class);

        Path ours = dir.resolve("student.onnx");
        VerifiedModelWriter.write(quantised, ours, Map.of("command", "test"), true);
        Model reread = OnnxImporter.read(ours);
        Map<String, Tensor> z = TestImages.randomInputs(reread, 4, 21);
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(ours, 1)) {
            Tensor expected = ort.run(z);
            assertThat(new Network(quantised).forward(z, false).maxAbsDifference(expected)).isLessThan(1e-4);
            assertThat(new Network(reread).forward(z, false).maxAbsDifference(expected)).isLessThan(1e-4);
        }
    }
}
