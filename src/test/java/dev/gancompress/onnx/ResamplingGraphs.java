package dev.gancompress.onnx;

import java.util.List;

/** Generators that upsample the ways other than ConvTranspose that PyTorch users write, as torch.onnx exports them. */
public final class ResamplingGraphs {
    private ResamplingGraphs() {
    }

    /**
     * x [batch, 3, 4, 4] -> Conv(3, p1) 8 -> ReLU -> {@code nn.Upsample(scale_factor=2, mode='bilinear')} (Resize
     * linear, pytorch_half_pixel, scales [1, 1, 2, 2]) -> Conv(3, p1) 12 -> {@code nn.PixelShuffle(2)} (DepthToSpace
     * CRD) -> Tanh: image [batch, 3, 16, 16].
     */
    public static byte[] bilinearPixelShuffleGenerator(long seed) {
        ExporterGraphs g = new ExporterGraphs(seed);
        g.conv("/c1/Conv", "x", "c1", 3, 8, 3, 1, "/c1/out");
        g.node("/c1/Relu", "Relu", List.of("/c1/out"), "/c1/act");
        g.initializerForTest(OnnxTensor.ofFloats("/up/scales", new int[] {4}, new float[] {1, 1, 2, 2}));
        g.node("/up/Resize", "Resize", List.of("/c1/act", "", "/up/scales"), "/up/out",
                OnnxAttribute.ofString("mode", "linear"),
                OnnxAttribute.ofString("coordinate_transformation_mode", "pytorch_half_pixel"));
        g.conv("/c2/Conv", "/up/out", "c2", 8, 12, 3, 1, "/c2/out");
        g.node("/ps/DepthToSpace", "DepthToSpace", List.of("/c2/out"), "/ps/out",
                OnnxAttribute.ofInt("blocksize", 2), OnnxAttribute.ofString("mode", "CRD"));
        g.node("/Tanh", "Tanh", List.of("/ps/out"), "image");
        return ExporterGraphs.bytes(g.model("g", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "batch", 3L, 4L,
                4L)), List.of(ExporterGraphs.info("image", OnnxTensor.FLOAT, "batch", 3L, 16L, 16L)), 17));
    }
}
