package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ONNX backend cases of Resize, Upsample, DepthToSpace, SpaceToDepth, Flatten and Gemm that gancompress
 * answers, by name: each must import and match (a regression shows which one), among them
 * test_resize_upsample_sizes_nearest_ceil_half_pixel, once answered wrongly. The full run is
 * {@link OnnxConformanceTest}.
 */
class ResampleConformanceCasesTest {
    private static final List<String> PASSING = List.of(
            "test_resize_upsample_sizes_nearest_ceil_half_pixel",
            "test_resize_upsample_sizes_nearest_floor_align_corners",
            "test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric",
            "test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn",
            "test_resize_upsample_scales_nearest", "test_resize_downsample_scales_nearest",
            "test_resize_upsample_sizes_nearest", "test_resize_downsample_sizes_nearest",
            "test_resize_upsample_scales_linear", "test_resize_upsample_scales_linear_align_corners",
            "test_resize_downsample_scales_linear", "test_resize_downsample_sizes_linear_pytorch_half_pixel",
            "test_upsample_nearest",
            "test_depthtospace_crd_mode", "test_depthtospace_crd_mode_example", "test_depthtospace_dcr_mode",
            "test_depthtospace_example", "test_spacetodepth", "test_spacetodepth_example",
            "test_flatten_axis1", "test_flatten_default_axis", "test_flatten_negative_axis3",
            "test_gemm_alpha", "test_gemm_beta", "test_gemm_default_scalar_bias", "test_gemm_transposeB");

    @Test
    void resamplingCasesPass() {
        assumeTrue(Files.isDirectory(ConformanceSuite.DEBIAN_NODE_TESTS),
                "libonnx-testdata is not installed (apt-get install libonnx-testdata)");
        for (String name : PASSING) {
            ConformanceSuite.Outcome o = ConformanceSuite.runCase(ConformanceSuite.DEBIAN_NODE_TESTS.resolve(name));
            assertThat(o.status()).as(name + ": " + o.detail()).isEqualTo(ConformanceSuite.Status.PASS);
        }
    }
}
