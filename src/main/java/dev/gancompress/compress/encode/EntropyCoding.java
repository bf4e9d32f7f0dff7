package dev.gancompress.compress.encode;

import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.ConfigFields;
import dev.gancompress.model.Model;

import java.util.List;
import java.util.Set;

/**
 * The lossless last step of Deep Compression (Han et al. 2016): the model's stored codes (int-N levels, codebook
 * indices, pruned zeros) entropy-coded into a .gcz container. The model itself is unchanged, so this stage never
 * fine-tunes; a recipe runner writes the .gcz next to the ONNX file when a recipe ends with this stage.
 */
public final class EntropyCoding implements Compression {
    public static final String NAME = "entropy-coding";
    public static final List<String> CODECS = List.of("huffman", "rans", "raw");

    /**
     * @param codecs the codecs a stream may use, among "huffman", "rans" and "raw" (raw is always allowed, for
     *               streams no code shortens); default all: the smallest per stream
     */
    public record Config(List<String> codecs) {
        public Config {
            codecs = codecs == null ? CODECS : List.copyOf(codecs);
            ConfigFields.require(!codecs.isEmpty() && CODECS.containsAll(codecs), NAME, "codecs",
                    "a non-empty list of " + CODECS, codecs);
        }
    }

    private final Config config;

    public EntropyCoding(Config config) {
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public Phase phase() {
        return Phase.ENTROPY;
    }

    /** An unchanged copy: coding is a property of the file, not of the model. */
    @Override
    public Model apply(Model model, CompressionContext context) {
        return model.copy();
    }

    public Set<String> codecSet() {
        return Set.copyOf(config.codecs());
    }
}
