package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.model.Resize2d;
import dev.gancompress.model.Resize2d.CoordinateMode;
import dev.gancompress.model.Resize2d.Interpolation;
import dev.gancompress.model.Resize2d.NearestRounding;
import dev.gancompress.model.Upsample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ONNX Resize and Upsample in every nearest rounding and coordinate transformation, and linear: the imported layer
 * computes what ONNX Runtime computes on the original file, and so does ORT on gancompress's re-export
 * ({@link ExporterStyleImportTest#assertSameAsOrt}); what is not supported is refused with node, op, opset and
 * attribute named.
 */
class ResizeImportTest {
    /** One Resize of x [N, 2, h, w]; scales or sizes as an initializer (sizes fix the batch to 1, as torch does). */
    private static byte[] resize(int h, int w, float[] scales, long[] sizes, long opset, OnnxAttribute... attrs) {
        ExporterGraphs g = new ExporterGraphs(1);
        List<String> in = new ArrayList<>(List.of("x", ""));
        if (scales != null) {
            g.initializerForTest(OnnxTensor.ofFloats("scales", new int[] {scales.length}, scales));
            in.add("scales");
        } else {
            g.initializerForTest(OnnxTensor.ofLongs("sizes", new long[] {sizes.length}, sizes));
            in.add("");
            in.add("sizes");
        }
        g.node("resize", "Resize", in, "y", attrs);
        Object batch = sizes != null ? (Object) 1L : "N";
        return ExporterGraphs.bytes(g.model("r", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, batch, 2L,
                (long) h, (long) w)), List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, batch, 2L, "h", "w")), opset));
    }

    private record Case(int h, int w, float[] scales, long[] sizes) {
    }

    private static final List<Case> CASES = List.of(
            new Case(3, 4, new float[] {1, 1, 2, 3}, null),      // integer, unequal
            new Case(5, 6, new float[] {1, 1, 0.6f, 1.7f}, null), // down and non-integer up
            new Case(3, 4, null, new long[] {1, 2, 7, 5}),       // sizes whose ratio float32 cannot hold
            new Case(4, 4, null, new long[] {1, 2, 3, 1}));      // downsampling to one column

    @Test
    void everyNearestRoundingAndCoordinateModeMatchesOrt() {
        int accepted = 0;
        int refused = 0;
        for (CoordinateMode mode : CoordinateMode.values()) {
            for (NearestRounding rounding : NearestRounding.values()) {
                for (Case c : CASES) {
                    byte[] file = resize(c.h(), c.w(), c.scales(), c.sizes(), 13,
                            OnnxAttribute.ofString("mode", "nearest"),
                            OnnxAttribute.ofString("coordinate_transformation_mode", mode.onnxName()),
                            OnnxAttribute.ofString("nearest_mode", rounding.onnxName()));
                    if (importAndCompare(file, c, mode + " " + rounding)) {
                        accepted++;
                    } else {
                        refused++;
                    }
                }
            }
        }
        System.out.println("nearest: accepted " + accepted + ", refused (runtime-dependent ties) " + refused);
        assertThat(accepted).isGreaterThanOrEqualTo(70); // of 80
    }

    @Test
    void linearInEveryCoordinateModeMatchesOrt() {
        int accepted = 0;
        for (CoordinateMode mode : CoordinateMode.values()) {
            for (Case c : CASES) {
                byte[] file = resize(c.h(), c.w(), c.scales(), c.sizes(), 13,
                        OnnxAttribute.ofString("mode", "linear"),
                        OnnxAttribute.ofString("coordinate_transformation_mode", mode.onnxName()));
                if (importAndCompare(file, c, "linear " + mode)) {
                    accepted++;
                }
            }
        }
        // align_corners with scales 0.6 x 1.7 has a fractional output length: the one refusal
        assertThat(accepted).isEqualTo(CoordinateMode.values().length * CASES.size() - 1);
    }

    /** Imports and compares with ORT; false when the import refused because runtimes would differ. */
    private static boolean importAndCompare(byte[] file, Case c, String what) {
        Model m;
        try {
            m = OnnxImporter.fromBytes(file, "resize.onnx");
        } catch (GanCompressException e) {
            assertThat(e.getMessage()).as(what).contains("node 'resize' (op Resize) at opset 13")
                    .containsAnyOf("float32 and float64", "non-integer output length");
            System.out.println("refused " + what + ": " + e.getMessage());
            return false;
        }
        ExporterStyleImportTest.assertSameAsOrt(file, m, c.sizes() != null ? 1 : 2);
        assertThat(OnnxImporter.fromBytes(OnnxExporter.toBytes(m, Map.of()), "again.onnx").node("resize").layer())
                .as("re-import of " + what).isEqualTo(m.node("resize").layer());
        return true;
    }

    @Test
    void theOnceWrongHalfPixelCeilIsExactAndFloorOfScaledStaysUpsample() {
        byte[] ceil = resize(2, 2, new float[] {1, 1, 2, 2}, null, 13, OnnxAttribute.ofString("nearest_mode", "ceil"));
        Model m = OnnxImporter.fromBytes(ceil, "ceil.onnx");
        assertThat(m.node("resize").layer()).isEqualTo(new Resize2d(Interpolation.NEAREST, CoordinateMode.HALF_PIXEL,
                NearestRounding.CEIL, 4, 4, 2, 2));
        ExporterStyleImportTest.assertSameAsOrt(ceil, m, 2);
        for (String coords : List.of("asymmetric", "half_pixel")) {
            byte[] file = resize(2, 3, new float[] {1, 1, 2, 2}, null, 13,
                    OnnxAttribute.ofString("coordinate_transformation_mode", coords),
                    OnnxAttribute.ofString("nearest_mode", coords.equals("asymmetric") ? "floor" : "round_prefer_floor"));
            assertThat(OnnxImporter.fromBytes(file, "up.onnx").node("resize").layer()).isEqualTo(new Upsample(2));
        }
    }

    @Test
    void sizesThatFloat32CannotHoldAsAScaleAreWrittenAsSizesOfTheInputShape() {
        byte[] file = resize(3, 4, null, new long[] {1, 2, 7, 5}, 13, OnnxAttribute.ofString("mode", "linear"));
        Model m = OnnxImporter.fromBytes(file, "sizes.onnx");
        OnnxModelProto out = OnnxExporter.toProto(m, Map.of());
        assertThat(out.graph().nodes()).extracting(OnnxNode::opType).containsExactly("Shape", "Slice", "Concat",
                "Resize");
        // the batch stays dynamic: ORT runs the re-export on a batch of 3 to what the engine computes
        Map<String, dev.gancompress.nn.Tensor> x = OnnxTestModels.inputs(m, 3, 5);
        try (dev.gancompress.runtime.OnnxRuntimeBackend ort = new dev.gancompress.runtime.OnnxRuntimeBackend(
                OnnxExporter.toBytes(out), 1)) {
            assertThat(ort.run(x).maxAbsDifference(new dev.gancompress.nn.Network(m).forward(x, false)))
                    .isLessThan(1e-4);
        }
    }

    @Test
    void opset10ResizeAndOpset9UpsampleLinear() {
        for (String mode : List.of("nearest", "linear")) {
            ExporterGraphs g = new ExporterGraphs(2);
            g.initializerForTest(OnnxTensor.ofFloats("scales", new int[] {4}, new float[] {1, 1, 2, 1.5f}));
            g.node("resize", "Resize", List.of("x", "scales"), "y", OnnxAttribute.ofString("mode", mode));
            byte[] file = ExporterGraphs.bytes(g.model("r10", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "N",
                    2L, 3L, 4L)), List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, "N", 2L, 6L, 6L)), 10));
            ExporterStyleImportTest.assertSameAsOrt(file, OnnxImporter.fromBytes(file, "r10.onnx"), 2);

            ExporterGraphs u = new ExporterGraphs(3);
            u.initializerForTest(OnnxTensor.ofFloats("scales", new int[] {4}, new float[] {1, 1, 2, 3}));
            u.node("up", "Upsample", List.of("x", "scales"), "y", OnnxAttribute.ofString("mode", mode));
            byte[] up = ExporterGraphs.bytes(u.model("u9", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "N", 2L,
                    3L, 4L)), List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, "N", 2L, 6L, 12L)), 9));
            ExporterStyleImportTest.assertSameAsOrt(up, OnnxImporter.fromBytes(up, "u9.onnx"), 2);
        }
    }

    @Test
    void unsupportedFormsAreRefusedWithTheAttributeNamed() {
        float[] two = {1, 1, 2, 2};
        assertRefused(resize(2, 2, two, null, 13, OnnxAttribute.ofString("mode", "cubic")), "mode cubic");
        assertRefused(resize(2, 2, two, null, 13, OnnxAttribute.ofString("coordinate_transformation_mode",
                "tf_crop_and_resize")), "coordinate_transformation_mode tf_crop_and_resize");
        assertRefused(resize(2, 2, two, null, 18, OnnxAttribute.ofInt("antialias", 1)), "antialias");
        assertRefused(resize(2, 2, new float[] {2, 1, 2, 2}, null, 13), "the batch and channels are not resized");
        assertRefused(resize(2, 2, null, new long[] {1, 3, 4, 4}, 13), "resize the batch or channels");
        assertRefused(resize(2, 2, two, null, 13, OnnxAttribute.ofString("nearest_mode", "nearest")),
                "nearest_mode nearest");
    }

    private static void assertRefused(byte[] file, String why) {
        assertThatThrownBy(() -> OnnxImporter.fromBytes(file, "bad.onnx")).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("node 'resize' (op Resize) at opset").hasMessageContaining(why);
    }
}
