package dev.gancompress.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DCGAN generator and discriminator graphs. Node names are stable ("fc", "up1", "bn1", ...) because
 * compression passes, reports and checkpoints refer to layers by name.
 *
 * <p>Generator, 28x28: z [-> concat label embedding] -> Linear to 4w x 7 x 7 -> BN -> ReLU ->
 * ConvT(4, s2) to 2w x 14 x 14 -> BN -> ReLU -> ConvT(4, s2) to w x 28 x 28 -> BN -> ReLU -> Conv 3x3 to C -> Tanh.
 * 32x32 starts from 4 x 4 and uses three transposed convolutions, the last one producing C channels.
 */
public final class Dcgan {
    public static final String LATENT = "z";
    public static final String LABEL = "label";
    public static final String IMAGE = "image";

    private Dcgan() {
    }

    public static Model generator(DcganSpec s) {
        List<Input> inputs = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        inputs.add(Input.latent(LATENT, s.latentDim()));
        String x = LATENT;
        int in = s.latentDim();
        if (s.conditional()) {
            inputs.add(Input.label(LABEL, s.numClasses()));
            nodes.add(Node.of("label_embed", Embedding.create(s.numClasses(), s.embeddingDim()), LABEL));
            nodes.add(Node.of("latent_label", new Concat(), LATENT, "label_embed"));
            x = "latent_label";
            in += s.embeddingDim();
        }
        int w4 = 4 * s.width();
        int w2 = 2 * s.width();
        int start = s.imageSize() == 28 ? 7 : 4;
        nodes.add(Node.of("fc", Linear.create(in, w4 * start * start, false), x));
        nodes.add(Node.of("fc_reshape", new Reshape(Shape.of(w4, start, start)), "fc"));
        nodes.add(Node.of("fc_bn", BatchNorm2d.create(w4), "fc_reshape"));
        nodes.add(Node.of("fc_act", Activation.relu(), "fc_bn"));
        Kernel2d up = Kernel2d.square(4, 2, 1);
        nodes.add(Node.of("up1", ConvTranspose2d.create(w4, w2, up, 0, false), "fc_act"));
        nodes.add(Node.of("up1_bn", BatchNorm2d.create(w2), "up1"));
        nodes.add(Node.of("up1_act", Activation.relu(), "up1_bn"));
        if (s.imageSize() == 28) {
            nodes.add(Node.of("up2", ConvTranspose2d.create(w2, s.width(), up, 0, false), "up1_act"));
            nodes.add(Node.of("up2_bn", BatchNorm2d.create(s.width()), "up2"));
            nodes.add(Node.of("up2_act", Activation.relu(), "up2_bn"));
            nodes.add(Node.of("to_image", Conv2d.create(s.width(), s.channels(), Kernel2d.square(3, 1, 1), true),
                    "up2_act"));
        } else {
            nodes.add(Node.of("up2", ConvTranspose2d.create(w2, s.width(), up, 0, false), "up1_act"));
            nodes.add(Node.of("up2_bn", BatchNorm2d.create(s.width()), "up2"));
            nodes.add(Node.of("up2_act", Activation.relu(), "up2_bn"));
            nodes.add(Node.of("to_image", ConvTranspose2d.create(s.width(), s.channels(), up, 0, true), "up2_act"));
        }
        nodes.add(Node.of("output", Activation.tanh(), "to_image"));
        return new Model(s.conditional() ? "cdcgan-generator" : "dcgan-generator", inputs, nodes, "output",
                Map.of("architecture", s.conditional() ? "cdcgan" : "dcgan", "role", "generator"));
    }

    /**
     * Discriminator: [label plane concat] -> Conv(4, s2) to dw -> LReLU(0.2) -> Conv(4, s2) to 2dw -> BN -> LReLU
     * -> Conv(3, s2) to 4dw -> BN -> LReLU -> flatten -> Linear to one logit.
     */
    public static Model discriminator(DcganSpec s) {
        List<Input> inputs = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        int size = s.imageSize();
        inputs.add(Input.image(IMAGE, s.channels(), size, size));
        String x = IMAGE;
        int in = s.channels();
        if (s.conditional()) {
            inputs.add(Input.label(LABEL, s.numClasses()));
            nodes.add(Node.of("label_embed", Embedding.create(s.numClasses(), size * size), LABEL));
            nodes.add(Node.of("label_plane", new Reshape(Shape.of(1, size, size)), "label_embed"));
            nodes.add(Node.of("image_label", new Concat(), IMAGE, "label_plane"));
            x = "image_label";
            in += 1;
        }
        int d = s.discriminatorWidth();
        Kernel2d down = Kernel2d.square(4, 2, 1);
        nodes.add(Node.of("conv1", Conv2d.create(in, d, down, true), x));
        nodes.add(Node.of("conv1_act", Activation.leakyRelu(0.2f), "conv1"));
        nodes.add(Node.of("conv2", Conv2d.create(d, 2 * d, down, false), "conv1_act"));
        nodes.add(Node.of("conv2_bn", BatchNorm2d.create(2 * d), "conv2"));
        nodes.add(Node.of("conv2_act", Activation.leakyRelu(0.2f), "conv2_bn"));
        nodes.add(Node.of("conv3", Conv2d.create(2 * d, 4 * d, Kernel2d.square(3, 2, 1), false), "conv2_act"));
        nodes.add(Node.of("conv3_bn", BatchNorm2d.create(4 * d), "conv3"));
        nodes.add(Node.of("conv3_act", Activation.leakyRelu(0.2f), "conv3_bn"));
        int side = (size / 4 + 2 - 3) / 2 + 1;
        int flat = 4 * d * side * side;
        nodes.add(Node.of("flatten", new Reshape(Shape.of(flat)), "conv3_act"));
        nodes.add(Node.of("logit", Linear.create(flat, 1, true), "flatten"));
        return new Model(s.conditional() ? "cdcgan-discriminator" : "dcgan-discriminator", inputs, nodes, "logit",
                Map.of("architecture", s.conditional() ? "cdcgan" : "dcgan", "role", "discriminator"));
    }
}
