package dev.gancompress.onnx;

import dev.gancompress.model.DepthToSpace;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Shape;
import dev.gancompress.model.SpaceToDepth;
import java.util.List;

/** ONNX DepthToSpace (modes DCR and CRD) and SpaceToDepth to and from {@link DepthToSpace} and {@link SpaceToDepth}. */
final class ChannelSpaceOnnx {
    private ChannelSpaceOnnx() {
    }

    static Layer decode(OnnxNode node, Shape in) {
        OnnxAttribute block = node.attribute("blocksize");
        if (block == null || block.i() < 1 || block.i() > Integer.MAX_VALUE) {
            throw new OnnxLayerDecoder.Unsupported("blocksize must be given and >= 1, got "
                    + (block == null ? "none" : block.i()));
        }
        if (!in.isImage()) {
            throw new OnnxLayerDecoder.Unsupported(node.opType() + " expects an image [N, C, H, W], got " + in);
        }
        int b = (int) block.i();
        if (node.opType().equals("SpaceToDepth")) {
            return new SpaceToDepth(b);
        }
        OnnxAttribute mode = node.attribute("mode");
        String m = mode == null ? "DCR" : mode.s();
        return switch (m) {
            case "DCR" -> new DepthToSpace(b, DepthToSpace.Mode.DCR);
            case "CRD" -> new DepthToSpace(b, DepthToSpace.Mode.CRD);
            default -> throw new OnnxLayerDecoder.Unsupported("mode " + m + " is not supported; DCR and CRD are");
        };
    }

    /** The attributes of the ONNX node for {@code layer}. */
    static List<OnnxAttribute> attributes(Layer layer) {
        if (layer instanceof DepthToSpace d) {
            return List.of(OnnxAttribute.ofInt("blocksize", d.blockSize()), OnnxAttribute.ofString("mode",
                    d.mode().name()));
        }
        return List.of(OnnxAttribute.ofInt("blocksize", ((SpaceToDepth) layer).blockSize()));
    }
}
