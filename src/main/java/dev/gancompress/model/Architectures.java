package dev.gancompress.model;

import dev.gancompress.GanCompressException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** The registry of trainable architectures by name; an unknown name fails listing the known ones. */
public final class Architectures {
    /** A generator and its discriminator. */
    public record Pair(Model generator, Model discriminator) {
    }

    /** Options an architecture reads; each decides what it needs. */
    public record Options(int imageSize, int channels, int width, int discriminatorWidth, int latentDim,
                          int numClasses) {
    }

    private static final Map<String, Function<Options, Pair>> REGISTRY = new LinkedHashMap<>();

    static {
        register("dcgan", o -> dcgan(o, 0));
        register("cdcgan", o -> dcgan(o, o.numClasses()));
    }

    private Architectures() {
    }

    private static Pair dcgan(Options o, int classes) {
        DcganSpec spec = new DcganSpec(o.latentDim(), o.channels(), o.imageSize(), o.width(), o.discriminatorWidth(),
                classes, classes > 0 ? 50 : 0);
        return new Pair(Dcgan.generator(spec), Dcgan.discriminator(spec));
    }

    public static synchronized void register(String name, Function<Options, Pair> factory) {
        if (REGISTRY.putIfAbsent(name, factory) != null) {
            throw new IllegalStateException("architecture '" + name + "' is already registered");
        }
    }

    /** Fails, listing the known names, unless {@code name} is registered. */
    public static synchronized void requireKnown(String name) {
        if (!REGISTRY.containsKey(name)) {
            throw new GanCompressException("unknown architecture '" + name + "'; known: " + String.join(", ",
                    REGISTRY.keySet()));
        }
    }

    public static synchronized Pair create(String name, Options options) {
        requireKnown(name);
        return REGISTRY.get(name).apply(options);
    }
}
