package dev.gancompress.model;

import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Pix2pixShapeTest {
    private static long count(Model m, Class<? extends Layer> type) {
        return m.nodes().stream().filter(n -> type.isInstance(n.layer())).count();
    }

    @Test
    void unetMapsA32x32ImageTo32x32ThroughA1x1BottleneckWithASkipPerLevel() {
        Model g = Pix2pix.unet(new Pix2pixSpec(1, 1, 32, 16, 16, 0));
        assertThat(g.input(Input.Kind.IMAGE).shape()).isEqualTo(Shape.of(1, 32, 32));
        assertThat(g.outputShape()).isEqualTo(Shape.of(1, 32, 32));
        assertThat(g.shape("down5")).isEqualTo(Shape.of(128, 1, 1));
        assertThat(g.shape("down4_norm")).isEqualTo(Shape.of(128, 2, 2));
        // up2 joins down1 (16 channels at 16x16) with its own 16
        assertThat(g.shape("up2_skip")).isEqualTo(Shape.of(32, 16, 16));
        assertThat(count(g, Concat.class)).isEqualTo(4);
        assertThat(g.node("down1").layer()).isInstanceOf(Conv2d.class);
        assertThat(g.nodes().get(g.nodes().size() - 1).layer()).isEqualTo(Activation.tanh());
    }

    @Test
    void resnetDownsamplesTwiceRunsTheBlocksAt8x8AndUpsamplesBack() {
        Model g = Pix2pix.resnet(new Pix2pixSpec(1, 3, 32, 16, 16, 6));
        assertThat(g.outputShape()).isEqualTo(Shape.of(3, 32, 32));
        assertThat(g.shape("stem_pad")).isEqualTo(Shape.of(1, 38, 38));
        assertThat(g.shape("down2_act")).isEqualTo(Shape.of(64, 8, 8));
        assertThat(g.shape("res6")).isEqualTo(Shape.of(64, 8, 8));
        assertThat(g.shape("up1_act")).isEqualTo(Shape.of(32, 16, 16));
        assertThat(count(g, Add.class)).isEqualTo(6);
        assertThat(count(g, InstanceNorm2d.class)).isEqualTo(1 + 2 + 12 + 2);
        assertThat(g.node("res3").inputs()).containsExactly("res2", "res3_conv2_norm");
        assertThat(((Pad2d) g.node("res1_pad1").layer()).mode()).isEqualTo(Pad2d.Mode.REFLECT);
    }

    @Test
    void patchDiscriminatorJudgesTheInputAndTheImageTogether() {
        Model d = Pix2pix.patchDiscriminator(new Pix2pixSpec(1, 3, 32, 16, 16, 0), "pix2pix-unet");
        assertThat(d.inputs()).extracting(Input::name).containsExactly(Pix2pix.INPUT, Pix2pix.IMAGE);
        assertThat(d.shape("pair")).isEqualTo(Shape.of(4, 32, 32));
        assertThat(d.outputShape()).isEqualTo(Shape.of(1, 6, 6));
    }

    @Test
    void registryBuildsBothArchitectures() {
        Architectures.Pair unet = Architectures.create("pix2pix-unet",
                new Architectures.Options(32, 1, 8, 8, 0, 0, 1, 0));
        Architectures.Pair resnet = Architectures.create("pix2pix-resnet",
                new Architectures.Options(32, 1, 8, 8, 0, 0, 1, 2));
        assertThat(unet.generator().name()).isEqualTo("pix2pix-unet-generator");
        assertThat(count(resnet.generator(), Add.class)).isEqualTo(2);
        assertThat(Architectures.isImageToImage("pix2pix-resnet")).isTrue();
        assertThat(Architectures.isImageToImage("cdcgan")).isFalse();
    }

    @Test
    void specRejectsSizesThatDoNotHalveDown() {
        assertThatThrownBy(() -> new Pix2pixSpec(1, 1, 28, 16, 16, 6))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("power of two").hasMessageContaining("28");
        assertThatThrownBy(() -> new Pix2pixSpec(1, 1, 32, 0, 16, 6))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("width=0");
    }
}
