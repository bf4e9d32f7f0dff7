package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Tensor;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeBackendTest {
    @TempDir
    Path dir;

    @Test
    void labelsGivenAsFloatsSelectTheirEmbeddingRows() {
        Model m = OnnxTestModels.conditional(8);
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(OnnxExporter.toBytes(m, Map.of()), 2)) {
            assertThat(ort.inputNames()).containsExactlyInAnyOrder("z", "y");
            assertThat(ort.outputName()).isEqualTo("img");
            Map<String, Tensor> in = OnnxTestModels.inputs(m, 2, 1);
            Tensor z = in.get("z");
            // Same latent for both samples, different labels: the outputs must differ, and equal the
            // single-sample runs.
            Tensor twin = new Tensor(new int[] {2, 8}, new float[16]);
            System.arraycopy(z.data(), 0, twin.data(), 0, 8);
            System.arraycopy(z.data(), 0, twin.data(), 8, 8);
            Tensor both = ort.run(Map.of("z", twin, "y", new Tensor(new int[] {2}, new float[] {0, 4})));
            Tensor first = ort.run(Map.of("z", new Tensor(new int[] {1, 8}, Arrays.copyOf(z.data(), 8)),
                    "y", new Tensor(new int[] {1}, new float[] {0})));
            int per = both.sampleSize();
            for (int i = 0; i < per; i++) {
                assertThat(both.data()[i]).isEqualTo(first.data()[i]);
            }
            boolean differs = false;
            for (int i = 0; i < per; i++) {
                differs |= both.data()[i] != both.data()[per + i];
            }
            assertThat(differs).isTrue();
        }
    }

    @Test
    void badInputsAreNamed() {
        Model m = OnnxTestModels.conditional(9);
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(OnnxExporter.toBytes(m, Map.of()), 1)) {
            Map<String, Tensor> in = new HashMap<>(OnnxTestModels.inputs(m, 1, 1));
            in.remove("y");
            assertThatThrownBy(() -> ort.run(in)).isInstanceOf(GanCompressException.class)
                    .hasMessageContaining("input 'y' was not given");
            in.put("y", new Tensor(new int[] {1}, new float[] {1.5f}));
            assertThatThrownBy(() -> ort.run(in)).isInstanceOf(GanCompressException.class)
                    .hasMessageContaining("whole class indices");
            in.put("y", new Tensor(new int[] {1}, new float[] {1}));
            in.put("w", Tensor.zeros(1, 1));
            assertThatThrownBy(() -> ort.run(in)).isInstanceOf(GanCompressException.class)
                    .hasMessageContaining("no input 'w'");
        }
    }

    @Test
    void unreadableModelIsReportedWithItsFile() throws Exception {
        Path file = dir.resolve("broken.onnx");
        Files.writeString(file, "not a model");
        assertThatThrownBy(() -> new OnnxRuntimeBackend(file, 1)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("broken.onnx");
        assertThatThrownBy(() -> new OnnxRuntimeBackend(dir.resolve("missing.onnx"), 1))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("does not exist");
    }
}
