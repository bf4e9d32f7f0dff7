package dev.gancompress.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Image-to-image generators and the conditional PatchGAN discriminator of pix2pix (Isola et al. 2017) and
 * CycleGAN (Zhu et al. 2017), sized for small single-channel images. Node names are stable ("down2", "res1_conv2",
 * ...) because compression passes, reports and checkpoints refer to layers by name.
 *
 * <p>Both generators take one image input {@link #INPUT} and output a tanh image; the discriminator takes the
 * same {@link #INPUT} and the judged {@link #IMAGE}, concatenated along channels (the conditional GAN of pix2pix:
 * D sees whether the output fits this input, not just whether it looks real), and outputs one logit per patch.
 * Dropout, pix2pix's only noise source, is left out: the engine has no dropout and the task is deterministic.
 */
public final class Pix2pix {
    public static final String INPUT = "input";
    public static final String IMAGE = "image";

    private Pix2pix() {
    }

    /**
     * U-Net (Ronneberger et al. 2015) as pix2pix builds it: each encoder level is a 4x4 stride-2 convolution
     * halving the size (LeakyReLU 0.2 before it, instance norm after it except at the outermost and innermost
     * levels), down to 1x1 for a 32x32 input; each decoder level a 4x4 stride-2 transposed convolution (ReLU
     * before it, instance norm after it) whose output is concatenated with the encoder output of the same size.
     * Channel widths are w, 2w, 4w, 8w, 8w, ... capped at 8w.
     */
    public static Model unet(Pix2pixSpec s) {
        List<Node> nodes = new ArrayList<>();
        Kernel2d k = Kernel2d.square(4, 2, 1);
        int levels = Integer.numberOfTrailingZeros(s.imageSize());
        int[] widths = new int[levels + 1];
        for (int i = 1; i <= levels; i++) {
            widths[i] = s.width() * Math.min(8, 1 << (i - 1));
        }
        String x = INPUT;
        int in = s.inputChannels();
        for (int i = 1; i <= levels; i++) {
            String conv = "down" + i;
            if (i > 1) {
                nodes.add(Node.of(conv + "_act", Activation.leakyRelu(0.2f), x));
                x = conv + "_act";
            }
            boolean norm = i > 1 && i < levels;
            nodes.add(Node.of(conv, Conv2d.create(in, widths[i], k, !norm), x));
            x = conv;
            if (norm) {
                nodes.add(Node.of(conv + "_norm", InstanceNorm2d.create(widths[i]), x));
                x = conv + "_norm";
            }
            in = widths[i];
        }
        // decoder: up{i} produces the size of encoder level i-1 and is joined with it
        for (int i = levels; i >= 2; i--) {
            String conv = "up" + i;
            nodes.add(Node.of(conv + "_act", Activation.relu(), x));
            nodes.add(Node.of(conv, ConvTranspose2d.create(in, widths[i - 1], k, 0, false), conv + "_act"));
            nodes.add(Node.of(conv + "_norm", InstanceNorm2d.create(widths[i - 1]), conv));
            String skip = i - 1 == 1 ? "down1" : "down" + (i - 1) + "_norm";
            nodes.add(Node.of(conv + "_skip", new Concat(), skip, conv + "_norm"));
            x = conv + "_skip";
            in = 2 * widths[i - 1];
        }
        nodes.add(Node.of("up1_act", Activation.relu(), x));
        nodes.add(Node.of("up1", ConvTranspose2d.create(in, s.outputChannels(), k, 0, true), "up1_act"));
        nodes.add(Node.of("output", Activation.tanh(), "up1"));
        return new Model("pix2pix-unet-generator", List.of(inputImage(s)), nodes, "output",
                Map.of("architecture", "pix2pix-unet", "role", "generator"));
    }

    /**
     * The ResNet generator of CycleGAN (Johnson et al. 2016 style): reflection pad 3 + 7x7 convolution to w,
     * two 3x3 stride-2 convolutions to 2w and 4w, {@code residualBlocks} blocks (reflection pad 1, 3x3 conv,
     * instance norm, ReLU, pad, conv, norm, plus the block input), two 3x3 stride-2 transposed convolutions back
     * to w, reflection pad 3 + 7x7 convolution to the output channels, tanh. Every convolution before an instance
     * norm has no bias (the norm's shift replaces it).
     */
    public static Model resnet(Pix2pixSpec s) {
        List<Node> nodes = new ArrayList<>();
        int w = s.width();
        nodes.add(Node.of("stem_pad", new Pad2d(Pad2d.Mode.REFLECT, 3, 3, 3, 3), INPUT));
        nodes.add(Node.of("stem", Conv2d.create(s.inputChannels(), w, Kernel2d.square(7, 1, 0), false), "stem_pad"));
        String x = normRelu(nodes, "stem", w);
        int in = w;
        for (int i = 1; i <= 2; i++) {
            String conv = "down" + i;
            nodes.add(Node.of(conv, Conv2d.create(in, 2 * in, Kernel2d.square(3, 2, 1), false), x));
            in *= 2;
            x = normRelu(nodes, conv, in);
        }
        for (int b = 1; b <= s.residualBlocks(); b++) {
            String block = "res" + b;
            nodes.add(Node.of(block + "_pad1", new Pad2d(Pad2d.Mode.REFLECT, 1, 1, 1, 1), x));
            nodes.add(Node.of(block + "_conv1", Conv2d.create(in, in, Kernel2d.square(3, 1, 0), false),
                    block + "_pad1"));
            String mid = normRelu(nodes, block + "_conv1", in);
            nodes.add(Node.of(block + "_pad2", new Pad2d(Pad2d.Mode.REFLECT, 1, 1, 1, 1), mid));
            nodes.add(Node.of(block + "_conv2", Conv2d.create(in, in, Kernel2d.square(3, 1, 0), false),
                    block + "_pad2"));
            nodes.add(Node.of(block + "_conv2_norm", InstanceNorm2d.create(in), block + "_conv2"));
            nodes.add(Node.of(block, new Add(), x, block + "_conv2_norm"));
            x = block;
        }
        for (int i = 1; i <= 2; i++) {
            String conv = "up" + i;
            nodes.add(Node.of(conv, ConvTranspose2d.create(in, in / 2, Kernel2d.square(3, 2, 1), 1, false), x));
            in /= 2;
            x = normRelu(nodes, conv, in);
        }
        nodes.add(Node.of("head_pad", new Pad2d(Pad2d.Mode.REFLECT, 3, 3, 3, 3), x));
        nodes.add(Node.of("head", Conv2d.create(in, s.outputChannels(), Kernel2d.square(7, 1, 0), true), "head_pad"));
        nodes.add(Node.of("output", Activation.tanh(), "head"));
        return new Model("pix2pix-resnet-generator", List.of(inputImage(s)), nodes, "output",
                Map.of("architecture", "pix2pix-resnet", "role", "generator"));
    }

    /**
     * Conditional PatchGAN (pix2pix, "n_layers" = 2 for 32x32): input and judged image concatenated, 4x4
     * convolutions stride 2 to d (no norm), stride 2 to 2d, stride 1 to 4d (instance norm, LeakyReLU 0.2 after
     * each), then a stride-1 convolution to one logit per patch: 6x6 logits for 32x32, each seeing 34x34 pixels.
     * Instance rather than batch norm, as CycleGAN's discriminator, so real and fake batches never mix statistics.
     */
    public static Model patchDiscriminator(Pix2pixSpec s, String architecture) {
        List<Node> nodes = new ArrayList<>();
        int d = s.discriminatorWidth();
        int size = s.imageSize();
        List<Input> inputs = List.of(inputImage(s), Input.image(IMAGE, s.outputChannels(), size, size));
        nodes.add(Node.of("pair", new Concat(), INPUT, IMAGE));
        Kernel2d down = Kernel2d.square(4, 2, 1);
        nodes.add(Node.of("conv1", Conv2d.create(s.inputChannels() + s.outputChannels(), d, down, true), "pair"));
        nodes.add(Node.of("conv1_act", Activation.leakyRelu(0.2f), "conv1"));
        nodes.add(Node.of("conv2", Conv2d.create(d, 2 * d, down, false), "conv1_act"));
        nodes.add(Node.of("conv2_norm", InstanceNorm2d.create(2 * d), "conv2"));
        nodes.add(Node.of("conv2_act", Activation.leakyRelu(0.2f), "conv2_norm"));
        Kernel2d flat = Kernel2d.square(4, 1, 1);
        nodes.add(Node.of("conv3", Conv2d.create(2 * d, 4 * d, flat, false), "conv2_act"));
        nodes.add(Node.of("conv3_norm", InstanceNorm2d.create(4 * d), "conv3"));
        nodes.add(Node.of("conv3_act", Activation.leakyRelu(0.2f), "conv3_norm"));
        nodes.add(Node.of("logit", Conv2d.create(4 * d, 1, flat, true), "conv3_act"));
        return new Model(architecture + "-discriminator", inputs, nodes, "logit",
                Map.of("architecture", architecture, "role", "discriminator"));
    }

    private static Input inputImage(Pix2pixSpec s) {
        return Input.image(INPUT, s.inputChannels(), s.imageSize(), s.imageSize());
    }

    /** Appends instance norm and ReLU after {@code conv}; returns the ReLU's name. */
    private static String normRelu(List<Node> nodes, String conv, int channels) {
        nodes.add(Node.of(conv + "_norm", InstanceNorm2d.create(channels), conv));
        nodes.add(Node.of(conv + "_act", Activation.relu(), conv + "_norm"));
        return conv + "_act";
    }
}
