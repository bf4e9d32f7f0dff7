package dev.gancompress.model;

import dev.gancompress.nn.Initializer;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.runtime.OnnxVerification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Export of the pix2pix graphs: ONNX Runtime computes what the engine computes, and the file reads back. */
class Pix2pixOnnxTest {
    private static void agrees(Model m, Path dir) throws Exception {
        Initializer.dcgan(m, 3);
        byte[] bytes = OnnxExporter.toBytes(m, Map.of());
        OnnxVerification.Result r = OnnxVerification.check(m, bytes, m.name());
        assertThat(r.maxAbsDifference()).as(m.name()).isLessThanOrEqualTo(r.tolerance());
        Path file = dir.resolve(m.name() + ".onnx");
        Files.write(file, bytes);
        Model back = OnnxImporter.read(file);
        assertThat(back.outputShape()).isEqualTo(m.outputShape());
        assertThat(back.input(Input.Kind.IMAGE).shape()).isEqualTo(m.input(Input.Kind.IMAGE).shape());
    }

    @Test
    void unetResnetAndPatchDiscriminatorRunTheSameInOnnxRuntime(@TempDir Path dir) throws Exception {
        Pix2pixSpec spec = new Pix2pixSpec(1, 1, 32, 8, 8, 2);
        agrees(Pix2pix.unet(spec), dir);
        agrees(Pix2pix.resnet(spec), dir);
        agrees(Pix2pix.patchDiscriminator(spec, "pix2pix-resnet"), dir);
    }
}
