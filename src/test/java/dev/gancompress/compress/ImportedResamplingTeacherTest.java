package dev.gancompress.compress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gancompress.TestImages;
import dev.gancompress.compress.prune.ChannelCriterion;
import dev.gancompress.compress.prune.ChannelPruning;
import dev.gancompress.compress.quantize.QuantizationConfig;
import dev.gancompress.model.Model;
import dev.gancompress.model.Resize2d;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.onnx.ResamplingGraphs;
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
 * A teacher that upsamples the two other ways PyTorch generators do, {@code nn.Upsample(scale_factor=2,
 * mode='bilinear')} (Resize linear, pytorch_half_pixel) and {@code nn.PixelShuffle(2)} (DepthToSpace CRD), is
 * pruned, quantised and written, and the written file runs in ONNX Runtime to the engine's output.
 */
class ImportedResamplingTeacherTest {
    @TempDir
    Path dir;

    @Test
    void bilinearAndPixelShuffleTeacherIsPrunedQuantisedAndWritten() throws IOException {
        Path theirs = Files.write(dir.resolve("g.onnx"), ResamplingGraphs.bilinearPixelShuffleGenerator(11));
        Model teacher = OnnxImporter.read(theirs);
        assertThat(teacher.node("/up/Resize").layer()).isInstanceOf(Resize2d.class);

        Model pruned = new ChannelPruning(ChannelPruning.Config.uniform(0.5, ChannelCriterion.L1_NORM))
                .apply(teacher, null);
        assertThat(pruned.shape("/up/Resize").channels()).isEqualTo(4); // pruned through the resize
        assertThat(pruned.outputShape()).isEqualTo(teacher.outputShape());

        Model quantised = CompressionRegistry.create("ptq-weights",
                new QuantizationConfig(8, "symmetric", "per-channel", null, List.of())).apply(pruned, null);
        assertThat(quantised.node("/c2/Conv").layer().weights().get(0).weights().storage())
                .isInstanceOf(WeightStorage.IntN.class);

        Path ours = dir.resolve("student.onnx");
        VerifiedModelWriter.write(quantised, ours, Map.of("command", "test"), true);
        Model reread = OnnxImporter.read(ours);
        Map<String, Tensor> x = TestImages.randomInputs(reread, 3, 21);
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(ours, 1)) {
            Tensor expected = ort.run(x);
            assertThat(new Network(quantised).forward(x, false).maxAbsDifference(expected)).isLessThan(1e-4);
            assertThat(new Network(reread).forward(x, false).maxAbsDifference(expected)).isLessThan(1e-4);
        }
    }
}
