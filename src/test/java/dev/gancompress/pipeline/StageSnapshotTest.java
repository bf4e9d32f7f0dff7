package dev.gancompress.pipeline;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.encode.WeightSharing;
import dev.gancompress.compress.encode.WeightSharingConfig;
import dev.gancompress.compress.quantize.PostTrainingQuantization;
import dev.gancompress.compress.quantize.QuantizationConfig;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.nn.Initializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StageSnapshotTest {
    private static Model plain() {
        Model g = Dcgan.generator(new DcganSpec(8, 1, 28, 8, 4, 0, 0));
        Initializer.dcgan(g, 1);
        return g;
    }

    @Test
    void storagesMasksAndOffGridMasterValuesComeBackExactly(@TempDir Path dir) {
        Model int8 = new PostTrainingQuantization(QuantizationConfig.integers(8)).apply(plain(), null);
        float[] master = int8.node("up1").layer().weights().get(0).weights().data();
        master[3] += 1e-3f; // QAT moves master values off the grid: the snapshot keeps them
        float[] mask = new float[master.length];
        java.util.Arrays.fill(mask, 1f);
        mask[5] = 0;
        int8.node("up1").layer().weights().get(0).weights().setMask(mask);
        Model shared = new WeightSharing(new WeightSharingConfig(3, null, null, null, null, null)).apply(plain(), null);
        for (Model m : new Model[] {int8, shared}) {
            Path file = dir.resolve(m == int8 ? "a" : "b");
            StageSnapshot.write(file, "k", m, 1.5);
            Model target = plain();
            assertThat(StageSnapshot.restore(file, "k", target)).isEqualTo(1.5);
            StagedRecipeTest.assertSameTensors(target, m);
        }
        assertThat(shared.node("up1").layer().weights().get(0).weights().storage())
                .isInstanceOf(WeightStorage.Codebook.class);
        assertThatThrownBy(() -> StageSnapshot.restore(dir.resolve("a"), "other", plain()))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("belongs to another recipe or stage");
    }
}
