package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Activation;
import dev.gancompress.model.Add;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StudentFactoryTest {
    @TempDir
    Path dir;

    @Test
    void widthOneStudentFromTeacherReproducesTheTeacherExactly() {
        for (DcganSpec spec : List.of(DistillFixtures.TINY, DistillFixtures.TINY_CONDITIONAL)) {
            Model teacher = DistillFixtures.trainedPair(spec, dir.resolve(spec.conditional() ? "c" : "u"))[0];
            Model student = StudentFactory.widthScaled(teacher, 1.0, Map.of(), StudentInit.TEACHER_SELECTION, 3);
            Map<String, Tensor> in = DistillFixtures.inputs(teacher, 6, 9);
            assertThat(DistillFixtures.run(student, in, false)).isEqualTo(DistillFixtures.run(teacher, in, false));
            // Training mode too (batch statistics), each on its own copy so running statistics do not interfere.
            assertThat(DistillFixtures.run(student.copy(), in, true))
                    .isEqualTo(DistillFixtures.run(teacher.copy(), in, true));
            assertThat(student.node("up1").layer()).isInstanceOfSatisfying(ConvTranspose2d.class,
                    c -> assertThat(c.weight().data())
                            .isNotSameAs(((ConvTranspose2d) teacher.node("up1").layer()).weight().data()));
        }
    }

    @Test
    void halfWidthHalvesChannelsAndQuartersTheConvolutionMacs() {
        Model teacher = Dcgan.generator(DistillFixtures.TINY);
        Initializer.dcgan(teacher, 1);
        Model student = StudentFactory.widthScaled(teacher, 0.5, Map.of(), StudentInit.RANDOM, 2);
        Model reference = Dcgan.generator(new DcganSpec(8, 1, 28, 4, 4, 0, 0));
        assertThat(student.shapes()).isEqualTo(reference.shapes());
        assertThat(((Conv2d) student.node("to_image").layer()).out()).isEqualTo(1);
        assertThat(StudentFactory.keptChannels(teacher, 0.5, Map.of()))
                .containsExactly(Map.entry("fc", 16), Map.entry("up1", 8), Map.entry("up2", 4));
        for (String layer : List.of("up1", "up2")) {
            assertThat(teacher.macs(teacher.node(layer))).isEqualTo(4 * student.macs(student.node(layer)));
        }
        long teacherConv = convMacs(teacher);
        long studentConv = convMacs(student);
        double ratio = (double) teacherConv / studentConv;
        System.out.printf("width 0.5: conv MACs %d -> %d (%.2fx), all MACs %d -> %d, params %d -> %d%n",
                teacherConv, studentConv, ratio, teacher.macs(), student.macs(), teacher.parameterCount(),
                student.parameterCount());
        assertThat(ratio).isBetween(3.5, 4.0);
        assertThat(student.node("up1").name()).isEqualTo("up1");
    }

    private static long convMacs(Model m) {
        return m.nodes().stream().filter(n -> n.layer() instanceof Conv2d || n.layer() instanceof ConvTranspose2d)
                .mapToLong(m::macs).sum();
    }

    @Test
    void teacherSelectionKeepsTheHighestL1FiltersWithTheirBatchNormStatistics() {
        Model teacher = DistillFixtures.trainedPair(DistillFixtures.TINY, dir)[0];
        Model student = StudentFactory.widthScaled(teacher, 0.5, Map.of(), StudentInit.TEACHER_SELECTION, 3);
        ConvTranspose2d up2 = (ConvTranspose2d) teacher.node("up2").layer();
        float[] w = up2.weight().data();
        double[] norm = new double[up2.out()];
        int area = up2.kernel().area();
        for (int i = 0; i < up2.in(); i++) {
            for (int o = 0; o < up2.out(); o++) {
                for (int k = 0; k < area; k++) {
                    norm[o] += Math.abs(w[(i * up2.out() + o) * area + k]);
                }
            }
        }
        int[] top = IntStream.range(0, norm.length).boxed().sorted(Comparator.comparingDouble(o -> -norm[o]))
                .limit(4).mapToInt(Integer::intValue).sorted().toArray();
        BatchNorm2d tBn = (BatchNorm2d) teacher.node("up2_bn").layer();
        BatchNorm2d sBn = (BatchNorm2d) student.node("up2_bn").layer();
        float[] expectedMean = new float[4];
        float[] expectedGamma = new float[4];
        for (int i = 0; i < 4; i++) {
            expectedMean[i] = tBn.runningMean().data()[top[i]];
            expectedGamma[i] = tBn.gamma().data()[top[i]];
        }
        assertThat(sBn.runningMean().data()).containsExactly(expectedMean);
        assertThat(sBn.gamma().data()).containsExactly(expectedGamma);
        // The image layer reads exactly those channels.
        Conv2d tImg = (Conv2d) teacher.node("to_image").layer();
        Conv2d sImg = (Conv2d) student.node("to_image").layer();
        for (int i = 0; i < 4; i++) {
            assertThat(Arrays.copyOfRange(sImg.weight().data(), i * 9, i * 9 + 9))
                    .containsExactly(Arrays.copyOfRange(tImg.weight().data(), top[i] * 9, top[i] * 9 + 9));
        }
    }

    @Test
    void perLayerMultipliersScaleOnlyTheirLayers() {
        Model teacher = Dcgan.generator(DistillFixtures.TINY);
        Map<String, Integer> kept = StudentFactory.keptChannels(teacher, 1.0, Map.of("up1", 0.25));
        assertThat(kept).containsExactly(Map.entry("fc", 32), Map.entry("up1", 4), Map.entry("up2", 8));
    }

    @Test
    void aMultiplierLeavingZeroChannelsIsRejected() {
        Model teacher = Dcgan.generator(DistillFixtures.TINY);
        assertThatThrownBy(() -> StudentFactory.widthScaled(teacher, 0.01, Map.of(), StudentInit.RANDOM, 1))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("width multiplier 0.01 leaves layer fc with 0 channels");
        assertThatThrownBy(() -> StudentFactory.widthScaled(teacher, 1.0, Map.of("up2", 0.01), StudentInit.RANDOM, 1))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("width multiplier 0.01 leaves layer up2 with 0 channels");
    }

    @Test
    void anUnknownOrUnscalableLayerNameIsRejectedListingTheScalableOnes() {
        Model teacher = Dcgan.generator(DistillFixtures.TINY);
        assertThatThrownBy(() -> StudentFactory.widthScaled(teacher, 1.0, Map.of("to_image", 0.5),
                StudentInit.RANDOM, 1))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("no scalable layer of that name")
                .hasMessageContaining("scalable layers: fc, up1, up2");
    }

    @Test
    void aStudentWithAnotherOutputShapeIsRejected() {
        Model teacher = Dcgan.generator(DistillFixtures.TINY);
        Model student = Dcgan.generator(new DcganSpec(8, 1, 32, 4, 4, 0, 0));
        assertThatThrownBy(() -> StudentFactory.checkedStudent(student, teacher, "student.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("student student.onnx makes outputs of shape [1, 32, 32]")
                .hasMessageContaining("the teacher dcgan-generator makes [1, 28, 28]");
    }

    /** A residual generator: the Add ties fc's and c1's channels together, so both keep the same ones. */
    private static Model residual() {
        List<Node> nodes = List.of(
                Node.of("fc", Linear.create(8, 8 * 4 * 4, false), "z"),
                Node.of("fc_reshape", new Reshape(Shape.of(8, 4, 4)), "fc"),
                Node.of("h", Activation.relu(), "fc_reshape"),
                Node.of("c1", Conv2d.create(8, 8, Kernel2d.square(3, 1, 1), false), "h"),
                Node.of("c1_bn", BatchNorm2d.create(8), "c1"),
                Node.of("c1_act", Activation.relu(), "c1_bn"),
                Node.of("sum", new Add(), "h", "c1_act"),
                Node.of("to_image", Conv2d.create(8, 1, Kernel2d.square(3, 1, 1), true), "sum"),
                Node.of("output", Activation.tanh(), "to_image"));
        Model m = new Model("residual", List.of(Input.latent("z", 8)), nodes, "output", Map.of());
        Initializer.dcgan(m, 4);
        return m;
    }

    @Test
    void residualPartnersKeepTheSameChannelsAndWidthOneIsExact() {
        Model teacher = residual();
        Model full = StudentFactory.widthScaled(teacher, 1.0, Map.of(), StudentInit.TEACHER_SELECTION, 1);
        Map<String, Tensor> in = DistillFixtures.inputs(teacher, 4, 2);
        assertThat(DistillFixtures.run(full, in, false)).isEqualTo(DistillFixtures.run(teacher, in, false));
        Model half = StudentFactory.widthScaled(teacher, 0.5, Map.of(), StudentInit.TEACHER_SELECTION, 1);
        assertThat(half.shape("sum")).isEqualTo(Shape.of(4, 4, 4));
        assertThat(half.outputShape()).isEqualTo(teacher.outputShape());
        assertThatThrownBy(() -> StudentFactory.widthScaled(teacher, 0.5, Map.of("c1", 0.25),
                StudentInit.RANDOM, 1))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("an Add joins their channels");
    }
}
