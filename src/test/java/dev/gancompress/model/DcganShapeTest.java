package dev.gancompress.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DcganShapeTest {
    @Test
    void teacherSizesAreInTheIntendedRange() {
        Model g = Dcgan.generator(DcganSpec.fashionTeacher(0));
        Model d = Dcgan.discriminator(DcganSpec.fashionTeacher(0));
        assertThat(g.outputShape()).isEqualTo(Shape.of(1, 28, 28));
        assertThat(d.outputShape()).isEqualTo(Shape.of(1));
        assertThat(g.parameterCount()).isBetween(1_000_000L, 3_000_000L);
        System.out.println("G params " + g.parameterCount() + " MACs " + g.macs() + "; D params "
                + d.parameterCount() + " MACs " + d.macs());
        Model cg = Dcgan.generator(DcganSpec.fashionTeacher(10));
        Model cd = Dcgan.discriminator(DcganSpec.fashionTeacher(10));
        assertThat(cg.outputShape()).isEqualTo(Shape.of(1, 28, 28));
        assertThat(cd.outputShape()).isEqualTo(Shape.of(1));
        DcganSpec s32 = new DcganSpec(64, 3, 32, 32, 32, 0, 0);
        assertThat(Dcgan.generator(s32).outputShape()).isEqualTo(Shape.of(3, 32, 32));
        assertThat(Dcgan.discriminator(s32).outputShape()).isEqualTo(Shape.of(1));
    }
}
