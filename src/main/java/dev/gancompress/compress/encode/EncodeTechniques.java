package dev.gancompress.compress.encode;

import dev.gancompress.compress.CompressionProvider;
import dev.gancompress.compress.ShortForm;
import dev.gancompress.compress.Technique;

import java.util.List;
import java.util.Map;

/** The encoding family: k-means weight sharing and lossless entropy coding (Deep Compression's last two steps). */
public final class EncodeTechniques implements CompressionProvider {
    @Override
    public String family() {
        return "encode";
    }

    @Override
    public List<Technique<?>> techniques() {
        return List.of(Technique.of(WeightSharing.NAME, WeightSharingConfig.class, WeightSharing::new),
                Technique.of(EntropyCoding.NAME, EntropyCoding.Config.class, EntropyCoding::new));
    }

    @Override
    public List<ShortForm> shortForms() {
        return List.of(
                new ShortForm("share", "bits", WeightSharing.NAME, "bits", Map.of(),
                        "k-means weight sharing with 2^bits centroids per layer"),
                new ShortForm("encode", "huffman", EntropyCoding.NAME, null, Map.of("codecs", List.of("huffman")),
                        "Huffman-code the stored weights into a .gcz"),
                new ShortForm("encode", "rans", EntropyCoding.NAME, null, Map.of("codecs", List.of("rans")),
                        "rANS-code the stored weights into a .gcz"),
                new ShortForm("encode", "best", EntropyCoding.NAME, null, Map.of(),
                        "the smallest of raw, Huffman and rANS per stream, into a .gcz"));
    }
}
