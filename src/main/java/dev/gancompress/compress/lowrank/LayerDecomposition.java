package dev.gancompress.compress.lowrank;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Shape;

import java.util.List;
import java.util.function.Function;

/**
 * One way to replace a layer by a chain of thinner layers whose product approximates its weight. The shapes alone
 * fix the full ranks and the MACs at any rank, so a rank that is too high or too costly is refused before any SVD
 * runs; {@link #factor} then computes the spectra once, and the chain can be built at any ranks from them.
 */
interface LayerDecomposition {
    /** What the chain is, for the decision list: "1x1 conv r then ConvT 4x4", ... */
    String describe();

    /** The rank names, one per factorised mode: ["r"], or ["r_in", "r_out"] for Tucker-2. */
    List<String> modes();

    /** The largest meaningful rank of every mode (the rank of the matrix it is read from). */
    int[] fullRanks();

    /** MACs per sample of the chain at these ranks. */
    long macs(int[] ranks);

    /** Computes the SVDs. */
    Factors factor();

    /**
     * @param spectra singular values per mode, descending
     * @param build   the chain at given ranks, first layer to last; the last produces the layer's output
     */
    record Factors(List<double[]> spectra, Function<int[], List<Layer>> build) {
        List<Layer> layers(int[] ranks) {
            return build.apply(ranks);
        }
    }

    /** The decomposition of a Linear, Conv2d or ConvTranspose2d layer by {@code method} (see {@link LowRankConfig}). */
    static LayerDecomposition of(String method, Layer layer, Shape in, Shape out) {
        if (layer instanceof Linear linear) {
            return new LinearSvd(linear);
        }
        ConvGeometry g;
        if (layer instanceof Conv2d c) {
            if (c.isGrouped()) {
                throw new GanCompressException(groupedRefusal(c));
            }
            g = ConvGeometry.of(c, in, out);
        } else if (layer instanceof ConvTranspose2d c) {
            g = ConvGeometry.of(c, in, out);
        } else {
            throw new GanCompressException("low-rank: cannot factorise a " + layer.opName()
                    + " layer; only Linear, Conv and ConvTranspose");
        }
        return switch (method) {
            case LowRankConfig.SVD_CHANNEL -> new ConvChannelSplit(g);
            case LowRankConfig.SPATIAL -> new ConvSpatialSplit(g);
            case LowRankConfig.TUCKER2 -> new Tucker2Split(g);
            default -> throw new IllegalArgumentException("unknown method " + method);
        };
    }

    /** "Linear 100->9408", "Conv 3x3 48->1", "ConvT 4x4 192->96". */
    static String describeLayer(Layer layer) {
        if (layer instanceof Linear l) {
            return "Linear " + l.in() + "->" + l.out();
        }
        if (layer instanceof Conv2d c) {
            return "Conv " + c.kernel().kh() + "x" + c.kernel().kw() + " " + c.in() + "->" + c.out();
        }
        if (layer instanceof ConvTranspose2d t) {
            return "ConvT " + t.kernel().kh() + "x" + t.kernel().kw() + " " + t.in() + "->" + t.out();
        }
        return layer.opName();
    }

    /**
     * Linear, ungrouped Conv2d and ConvTranspose2d. A grouped convolution's weight is block-diagonal over its channels
     * (a depthwise one has a single input channel per filter), so the channel and Tucker splits, which factor the full
     * out x in matrix, do not apply; it is already the cheap factor that such splits produce.
     */
    static boolean factorisable(Layer layer) {
        return layer instanceof Linear || (layer instanceof Conv2d c && !c.isGrouped())
                || layer instanceof ConvTranspose2d;
    }

    static String groupedRefusal(Conv2d c) {
        return "low-rank: cannot factorise a grouped convolution (groups = " + c.groups() + ", " + describeLayer(c)
                + "): its weight is block-diagonal over channels, already a factored form";
    }
}
