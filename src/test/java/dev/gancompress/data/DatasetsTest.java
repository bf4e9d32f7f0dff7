package dev.gancompress.data;

import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DatasetsTest {
    @TempDir
    Path dir;

    /** Three 28x28 images: a uniform grey one, a random one, a white one; labels 0, 1, 2. */
    private Path writeIdxPair(Path folder, String prefix) throws Exception {
        byte[] pixels = new byte[3 * 28 * 28];
        new SplittableRandom(5).nextBytes(pixels);
        Arrays.fill(pixels, 0, 784, (byte) 100);
        Arrays.fill(pixels, 2 * 784, 3 * 784, (byte) 255);
        Files.createDirectories(folder);
        Path images = IdxFixtures.write(folder.resolve(prefix + "-images-idx3-ubyte.gz"),
                IdxFixtures.images(3, 28, 28, pixels), true);
        IdxFixtures.write(folder.resolve(prefix + "-labels-idx1-ubyte.gz"), IdxFixtures.labels(new byte[] {0, 1, 2}), true);
        return images;
    }

    @Test
    void openIdxPathFindsTheLabelsFileByStandardNaming() throws Exception {
        Path images = writeIdxPair(dir, "train");
        assertThat(Datasets.labelsFileFor(images)).isEqualTo(dir.resolve("train-labels-idx1-ubyte.gz"));
        ImageDataset ds = Datasets.open(images.toString(), null);
        assertThat(ds.numClasses()).isEqualTo(3);
        assertThat(ds.label(2)).isEqualTo(2);

        Files.delete(dir.resolve("train-labels-idx1-ubyte.gz"));
        assertThat(Datasets.labelsFileFor(images)).isNull();
        assertThat(Datasets.open(images.toString(), null).numClasses()).isZero();
    }

    @Test
    void resizedViewEnlarges28To32WithinRangeAndKeepsLabels() throws Exception {
        ImageDataset source = Datasets.open(writeIdxPair(dir, "train").toString(), null);
        ImageDataset big = Datasets.resized(source, 32, 32);

        assertThat(big.height()).isEqualTo(32);
        assertThat(big.size()).isEqualTo(3);
        assertThat(big.label(1)).isEqualTo(1);
        assertThat(big.description()).endsWith("resized to 32x32");
        assertThat(big.contentHash()).hasSize(64).isNotEqualTo(source.contentHash())
                .isEqualTo(Datasets.resized(source, 32, 32).contentHash());
        float[] img = new float[32 * 32];
        big.copyImage(0, img, 0);
        for (float v : img) {
            assertThat(v).isCloseTo(100 / 127.5f - 1f, within(1e-5f));
        }
        big.copyImage(2, img, 0);
        assertThat(img).containsOnly(1f);
        big.copyImage(1, img, 0);
        for (float v : img) {
            assertThat(v).isBetween(-1f, 1f);
        }
        assertThat(Datasets.resized(source, 28, 28)).isSameAs(source);
    }

    @Test
    void paddedViewCentresTheSourceOnBlack() throws Exception {
        ImageDataset source = Datasets.open(writeIdxPair(dir, "train").toString(), null);
        ImageDataset padded = Datasets.open(dir.resolve("train-images-idx3-ubyte.gz").toString(), null,
                1, 32, 32, Datasets.Fit.PAD);
        assertThat(padded).isInstanceOf(PaddedDataset.class);
        float[] src = new float[784];
        float[] out = new float[1024 + 1];
        source.copyImage(1, src, 0);
        padded.copyImage(1, out, 1);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                boolean inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                float expected = inside ? src[(y - 2) * 28 + x - 2] : -1f;
                assertThat(out[1 + y * 32 + x]).isEqualTo(expected);
            }
        }
        assertThat(padded.contentHash()).isNotEqualTo(Datasets.resized(source, 32, 32).contentHash());
    }

    @Test
    void openFolderNeedsASizeAndChecksChannels() throws Exception {
        Path folder = dir.resolve("pngs");
        Files.createDirectories(folder);
        ImageFolderDatasetTest.writeGrey(folder.resolve("a.png"), 8, 8, (x, y) -> 50);
        ImageDataset ds = Datasets.open(folder.toString(), null, 3, 4, 4, Datasets.Fit.RESIZE);
        assertThat(ds.channels()).isEqualTo(3);
        assertThat(ds.height()).isEqualTo(4);

        assertThatThrownBy(() -> Datasets.open(folder.toString(), null))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("is an image folder");
        Path images = writeIdxPair(dir, "t10k");
        assertThatThrownBy(() -> Datasets.open(images.toString(), null, 3, 28, 28, Datasets.Fit.RESIZE))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("has 1 channel(s) but 3 are needed");
        assertThatThrownBy(() -> Datasets.open(images.toString(), null, 1, 16, 16, Datasets.Fit.PAD))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("can be resized, not padded");
        assertThat(Datasets.open(images.toString(), null, 1, 16, 16, Datasets.Fit.RESIZE).width()).isEqualTo(16);
        assertThatThrownBy(() -> Datasets.open(dir.resolve("nothing").toString(), null))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("not found; expected fashion-mnist, fashion-mnist-test, an IDX images file");
    }

    @Test
    void fashionMnistSpecsUseTheGivenDataDirectory() throws Exception {
        Path data = dir.resolve("data");
        writeIdxPair(data.resolve("fashion-mnist"), "train");
        writeIdxPair(data.resolve("fashion-mnist"), "t10k");

        assertThat(FashionMnist.locate(data)).isEqualTo(data.resolve("fashion-mnist"));
        ImageDataset train = Datasets.open("fashion-mnist", data);
        assertThat(train.description()).startsWith("fashion-mnist train (3 images from");
        assertThat(train.numClasses()).isEqualTo(10);
        assertThat(train.classNames()).isEqualTo(FashionMnist.CLASS_NAMES);
        assertThat(Datasets.open("fashion-mnist-test", data.resolve("fashion-mnist")).description())
                .startsWith("fashion-mnist test");
    }

    @Test
    void missingFashionMnistExplainsHowToInstallIt() {
        assertThatThrownBy(() -> FashionMnist.locate(dir))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("install it with: apt-get install -y dataset-fashion-mnist or pass --data DIR");
    }

    @Test
    void fashionMnistRejectsLabelsBeyondTenClasses() throws Exception {
        byte[] labels = {0, 10, 1};
        IdxFixtures.write(dir.resolve("train-images-idx3-ubyte"), IdxFixtures.images(3, 2, 2, new byte[12]), false);
        IdxFixtures.write(dir.resolve("train-labels-idx1-ubyte"), IdxFixtures.labels(labels), false);
        assertThatThrownBy(() -> FashionMnist.train(dir))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("label 10 at index 1 is out of range, expected a class in [0, 10)");
        assertThat(List.of(FashionMnist.CLASS_NAMES.get(0), FashionMnist.CLASS_NAMES.get(9)))
                .containsExactly("T-shirt/top", "Ankle boot");
    }
}
