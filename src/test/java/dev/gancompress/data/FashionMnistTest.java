package dev.gancompress.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Checks the real files of the Debian package dataset-fashion-mnist; skipped where it is not installed. */
class FashionMnistTest {
    @Test
    void realTrainAndTestSplitsHaveTheirPublishedShape() {
        assumeTrue(Files.isDirectory(FashionMnist.SYSTEM_DIR), "dataset-fashion-mnist is not installed");
        ImageDataset train = FashionMnist.train(FashionMnist.SYSTEM_DIR);
        ImageDataset test = FashionMnist.test(FashionMnist.SYSTEM_DIR);

        assertThat(train.size()).isEqualTo(60000);
        assertThat(test.size()).isEqualTo(10000);
        for (ImageDataset ds : new ImageDataset[] {train, test}) {
            assertThat(ds.channels()).isEqualTo(1);
            assertThat(ds.height()).isEqualTo(28);
            assertThat(ds.width()).isEqualTo(28);
            assertThat(ds.numClasses()).isEqualTo(10);
            // The classes are balanced: 6000 per class in train, 1000 in test.
            int[] perClass = new int[10];
            for (int i = 0; i < ds.size(); i++) {
                perClass[ds.label(i)]++;
            }
            assertThat(perClass).containsOnly(ds.size() / 10);
        }
        float[] img = new float[784];
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < 1000; i++) {
            train.copyImage(i * 60, img, 0);
            for (float v : img) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        assertThat(min).isEqualTo(-1f);
        assertThat(max).isEqualTo(1f);
        assertThat(train.description()).startsWith("fashion-mnist train (60000 images from /usr/share/datasets");
        assertThat(train.contentHash()).hasSize(64).isNotEqualTo(test.contentHash());
    }
}
