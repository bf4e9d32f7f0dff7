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

    /**
     * Options an architecture reads; each decides what it needs. {@code channels} are the generated images';
     * {@code inputChannels} and {@code residualBlocks} are read by the image-to-image architectures only.
     */
    public record Options(int imageSize, int channels, int width, int discriminatorWidth, int latentDim,
                          int numClasses, int inputChannels, int residualBlocks) {
        public Options(int imageSize, int channels, int width, int discriminatorWidth, int latentDim,
                       int numClasses) {
            this(imageSize, channels, width, discriminatorWidth, latentDim, numClasses, channels, 0);
        }
    }

    private static final Map<String, Function<Options, Pair>> REGISTRY = new LinkedHashMap<>();

    static {
        register("dcgan", o -> dcgan(o, 0));
        register("cdcgan", o -> dcgan(o, o.numClasses()));
        register("pix2pix-unet", o -> pix2pix(o, "pix2pix-unet"));
        register("pix2pix-resnet", o -> pix2pix(o, "pix2pix-resnet"));
    }

    private Architectures() {
    }

    private static Pair dcgan(Options o, int classes) {
        DcganSpec spec = new DcganSpec(o.latentDim(), o.channels(), o.imageSize(), o.width(), o.discriminatorWidth(),
                classes, classes > 0 ? 50 : 0);
        return new Pair(Dcgan.generator(spec), Dcgan.discriminator(spec));
    }

    private static Pair pix2pix(Options o, String name) {
        Pix2pixSpec spec = new Pix2pixSpec(o.inputChannels(), o.channels(), o.imageSize(), o.width(),
                o.discriminatorWidth(), o.residualBlocks());
        Model generator = name.equals("pix2pix-unet") ? Pix2pix.unet(spec) : Pix2pix.resnet(spec);
        return new Pair(generator, Pix2pix.patchDiscriminator(spec, name));
    }

    /** Whether {@code name} maps an input image to an output image (pix2pix) rather than a latent code. */
    public static boolean isImageToImage(String name) {
        return name.startsWith("pix2pix-");
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
