package dev.gancompress.compress.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.onnx.OnnxExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DistillationConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CompressionContext context(Model teacher) {
        return new CompressionContext(teacher, Dcgan.discriminator(DistillFixtures.TINY), null, null, 3, dir);
    }

    @Test
    void theConfigurationRoundTripsThroughJsonAndTheRegistry() throws Exception {
        DistillationConfig config = new DistillationConfig(0.5, Map.of("up2", 0.25), null,
                StudentInit.TEACHER_SELECTION, 2.0, OutputLoss.L2, 0.5, List.of("up1_act"), 1e-3, 0.1, "conv3_act",
                0.0, true, "models/feature-net-fashion.onnx", 0.5, MmdKernel.POLYNOMIAL, MmdTarget.REAL, null, null);
        String text = JSON.writeValueAsString(config);
        assertThat(JSON.readValue(text, DistillationConfig.class)).isEqualTo(config);
        Compression created = CompressionRegistry.create("distillation", JSON.readTree(text));
        assertThat(created).isInstanceOf(Distillation.class);
        assertThat(created.config()).isEqualTo(config);
        assertThat(CompressionRegistry.names()).contains("distillation");
    }

    @Test
    void missingFieldsTakeTheirDefaults() {
        Compression c = CompressionRegistry.create("distillation", JSON.createObjectNode());
        DistillationConfig d = (DistillationConfig) c.config();
        assertThat(d.widthMultiplier()).isEqualTo(0.5);
        assertThat(d.init()).isEqualTo(StudentInit.RANDOM);
        assertThat(d.outputLoss()).isEqualTo(OutputLoss.L1);
        assertThat(d.featureLayers()).as("null: the architecture's default").isNull();
        assertThat(d.perceptualWeight()).isZero();
        assertThat(d.freezeDiscriminator()).isFalse();
        assertThat(DistillationConfig.ofStudentFile("s.onnx").init()).isEqualTo(StudentInit.AS_GIVEN);
    }

    @Test
    void invalidFieldsAreRejectedNamingTheField() throws Exception {
        JsonNode zero = JSON.readTree("{\"widthMultiplier\": 0}");
        assertThatThrownBy(() -> CompressionRegistry.create("distillation", zero))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("'widthMultiplier' must be a number in (0, 1]");
        JsonNode both = JSON.readTree("{\"widthMultiplier\": 0.5, \"studentFile\": \"s.onnx\"}");
        assertThatThrownBy(() -> CompressionRegistry.create("distillation", both))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("absent when a studentFile is given");
        JsonNode unknown = JSON.readTree("{\"widthMultipler\": 0.5}");
        assertThatThrownBy(() -> CompressionRegistry.create("distillation", unknown))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("unknown field 'widthMultipler'");
        assertThatThrownBy(() -> DistillationConfig.ofWidth(0.5, StudentInit.RANDOM).withWeights(0, 0, 0, 0))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("nothing to train on");
        assertThatThrownBy(() -> DistillationConfig.ofWidth(0.5, StudentInit.AS_GIVEN))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("field 'init'");
    }

    @Test
    void applyRejectsAZeroChannelMultiplierBeforeTraining() {
        Model teacher = Dcgan.generator(DistillFixtures.TINY);
        Distillation kd = new Distillation(DistillationConfig.ofWidth(0.01, StudentInit.RANDOM));
        assertThatThrownBy(() -> kd.apply(teacher, context(teacher)))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("width multiplier 0.01 leaves layer fc with 0 channels");
    }

    @Test
    void applyRejectsAStudentFileWithAnotherOutputShape() {
        Model teacher = Dcgan.generator(DistillFixtures.TINY);
        Model wrong = Dcgan.generator(new DcganSpec(8, 1, 32, 4, 4, 0, 0));
        Path file = dir.resolve("student32.onnx");
        OnnxExporter.write(wrong, file, Map.of());
        Distillation kd = new Distillation(DistillationConfig.ofStudentFile(file.toString()));
        assertThatThrownBy(() -> kd.apply(teacher, context(teacher)))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("makes outputs of shape [1, 32, 32]")
                .hasMessageContaining("must be equal");
    }

    @Test
    void applyAcceptsAMatchingStudentFileAsGiven() {
        Model teacher = Dcgan.generator(DistillFixtures.TINY);
        Model narrow = Dcgan.generator(new DcganSpec(8, 1, 28, 2, 4, 0, 0));
        Initializer.dcgan(narrow, 8);
        Path file = dir.resolve("narrow.onnx");
        OnnxExporter.write(narrow, file, Map.of());
        Distillation kd = new Distillation(DistillationConfig.ofStudentFile(file.toString()));
        Model student = kd.apply(teacher, context(teacher));
        assertThat(student.parameterCount()).isEqualTo(narrow.parameterCount());
        assertThat(student.weightSlots().get("up1.weight").weights().data())
                .containsExactly(narrow.weightSlots().get("up1.weight").weights().data());
    }

    @Test
    void applyRejectsFeatureLayersOrAnEvaluatorItCannotUse() {
        Model teacher = Dcgan.generator(DistillFixtures.TINY);
        DistillationConfig badLayer = new DistillationConfig(0.5, null, null, null, null, null, 1.0,
                List.of("up9_act"), null, null, null, null, null);
        assertThatThrownBy(() -> new Distillation(badLayer).apply(teacher, context(teacher)))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("feature distillation layer 'up9_act' is not a node");
        assertThatThrownBy(() -> DistillationConfig.ofWidth(0.5, StudentInit.RANDOM).withWeights(1, 1, 1, 1))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("field 'featureNetwork' must be an ONNX classifier file");
        // without the evaluation network in the context the guard cannot check the feature network: refused
        DistillationConfig mmd = DistillationConfig.ofWidth(0.5, StudentInit.RANDOM)
                .withMmd("models/evaluator-fashion.onnx", 1, MmdKernel.GAUSSIAN, MmdTarget.TEACHER);
        assertThatThrownBy(() -> new Distillation(mmd).apply(teacher, context(teacher)))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("the evaluation network (--evaluator) is needed");
    }

    @Test
    void fineTuneSettingsCarryTheAdversarialWeightAndFreezing() {
        Distillation kd = new Distillation(new DistillationConfig(0.5, null, null, null, null, null, null, null, null,
                null, null, 0.25, true));
        FineTuning.Settings s = kd.fineTuneSettings(FineTuning.Settings.defaults(100, 7));
        assertThat(s.adversarialWeight()).isEqualTo(0.25f);
        assertThat(s.freezeDiscriminator()).isTrue();
        assertThat(s.steps()).isEqualTo(100);
    }
}
