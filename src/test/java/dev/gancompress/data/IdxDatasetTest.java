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

class IdxDatasetTest {
    private static final int N = 5;
    private static final int H = 3;
    private static final int W = 4;
    private static final byte[] LABELS = {0, 2, 1, 2, 0};

    @TempDir
    Path dir;

    @Test
    void parsesRawAndGzippedFilesIdentically() throws Exception {
        byte[] pixels = IdxFixtures.pattern(N * H * W);
        pixels[0] = 0;
        pixels[1] = (byte) 255;
        Path rawImages = IdxFixtures.write(dir.resolve("raw-images"), IdxFixtures.images(N, H, W, pixels), false);
        Path rawLabels = IdxFixtures.write(dir.resolve("raw-labels"), IdxFixtures.labels(LABELS), false);
        // The compression is detected from the content, not the name: these gzipped files have no .gz.
        Path gzImages = IdxFixtures.write(dir.resolve("gz-images.idx"), IdxFixtures.images(N, H, W, pixels), true);
        Path gzLabels = IdxFixtures.write(dir.resolve("gz-labels.idx"), IdxFixtures.labels(LABELS), true);

        ImageDataset raw = IdxDataset.load(rawImages, rawLabels);
        ImageDataset gz = IdxDataset.load(gzImages, gzLabels);

        for (ImageDataset ds : List.of(raw, gz)) {
            assertThat(ds.size()).isEqualTo(N);
            assertThat(ds.channels()).isEqualTo(1);
            assertThat(ds.height()).isEqualTo(H);
            assertThat(ds.width()).isEqualTo(W);
            assertThat(ds.numClasses()).isEqualTo(3);
            assertThat(ds.classNames()).containsExactly("0", "1", "2");
            assertThat(ds.label(1)).isEqualTo(2);
            float[] img = new float[H * W + 2];
            ds.copyImage(0, img, 2);
            assertThat(img[2]).isEqualTo(-1f);
            assertThat(img[3]).isEqualTo(1f);
            ds.copyImage(3, img, 0);
            for (int i = 0; i < H * W; i++) {
                assertThat(img[i]).isCloseTo((pixels[3 * H * W + i] & 0xff) / 127.5f - 1f, within(1e-6f));
            }
        }
        assertThat(raw.contentHash()).hasSize(64).matches("[0-9a-f]+").isEqualTo(gz.contentHash());
        assertThat(raw.description()).contains("5 images from").contains("raw-images");
    }

    @Test
    void contentHashChangesWithAnyLabelOrPixel() throws Exception {
        byte[] pixels = IdxFixtures.pattern(N * H * W);
        Path images = IdxFixtures.write(dir.resolve("i"), IdxFixtures.images(N, H, W, pixels), false);
        String base = IdxDataset.load(images, IdxFixtures.write(dir.resolve("l"), IdxFixtures.labels(LABELS), false))
                .contentHash();
        byte[] otherLabels = LABELS.clone();
        otherLabels[4] = 1;
        String labelChanged = IdxDataset.load(images,
                IdxFixtures.write(dir.resolve("l2"), IdxFixtures.labels(otherLabels), false)).contentHash();
        pixels[7]++;
        Path otherImages = IdxFixtures.write(dir.resolve("i2"), IdxFixtures.images(N, H, W, pixels), false);
        String pixelChanged = IdxDataset.load(otherImages,
                IdxFixtures.write(dir.resolve("l3"), IdxFixtures.labels(LABELS), false)).contentHash();
        assertThat(List.of(labelChanged, pixelChanged)).doesNotContain(base).doesNotHaveDuplicates();
    }

    @Test
    void unlabelledSetHasNoClasses() throws Exception {
        Path images = IdxFixtures.write(dir.resolve("i"), IdxFixtures.images(N, H, W, IdxFixtures.pattern(60)), true);
        ImageDataset ds = IdxDataset.load(images, null);
        assertThat(ds.numClasses()).isZero();
        assertThat(ds.label(0)).isEqualTo(-1);
        assertThat(ds.classNames()).isEmpty();
        assertThat(ds.description()).contains("unlabelled");
    }

    @Test
    void wrongMagicNamesFileAndBothMagics() throws Exception {
        Path labelsAsImages = IdxFixtures.write(dir.resolve("swapped"), IdxFixtures.labels(LABELS), true);
        assertThatThrownBy(() -> IdxDataset.load(labelsAsImages, null))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(labelsAsImages.toString())
                .hasMessageContaining("expected IDX magic 0x00000803 (ubyte, 3 dims) for images, found 0x00000801");

        Path images = IdxFixtures.write(dir.resolve("i"), IdxFixtures.images(N, H, W, IdxFixtures.pattern(60)), false);
        assertThatThrownBy(() -> IdxDataset.load(images, images))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("expected IDX magic 0x00000801 (ubyte, 1 dim) for labels, found 0x00000803");
    }

    @Test
    void truncatedBodyReportsExpectedAndActualByteCounts() throws Exception {
        byte[] full = IdxFixtures.images(N, H, W, IdxFixtures.pattern(60));
        byte[] cut = Arrays.copyOf(full, full.length - 10);
        for (boolean gzip : new boolean[] {false, true}) {
            Path file = IdxFixtures.write(dir.resolve("cut" + gzip), cut, gzip);
            assertThatThrownBy(() -> IdxDataset.load(file, null))
                    .isInstanceOf(GanCompressException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("expected 60 pixel bytes after the header, file ends after 50");
        }
    }

    @Test
    void truncatedGzipStreamIsReportedAsTruncatedData() throws Exception {
        byte[] noise = new byte[200 * 400];
        new SplittableRandom(7).nextBytes(noise);
        Path whole = IdxFixtures.write(dir.resolve("whole"), IdxFixtures.images(200, 20, 20, noise), true);
        byte[] gz = Files.readAllBytes(whole);
        Path cut = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertThatThrownBy(() -> IdxDataset.load(cut, null))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("expected 80000 pixel bytes after the header, file ends after");
    }

    @Test
    void truncatedHeaderAndExtraBytesAreRejected() throws Exception {
        Path shortHeader = IdxFixtures.write(dir.resolve("short"),
                Arrays.copyOf(IdxFixtures.images(N, H, W, new byte[0]), 10), false);
        assertThatThrownBy(() -> IdxDataset.load(shortHeader, null))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("file ends inside the IDX header, reading the height");

        Path extra = IdxFixtures.write(dir.resolve("extra"), IdxFixtures.images(N, H, W, IdxFixtures.pattern(61)), false);
        assertThatThrownBy(() -> IdxDataset.load(extra, null))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("extra bytes after the 60 pixel bytes");

        Path zero = IdxFixtures.write(dir.resolve("zero"), IdxFixtures.images(0, H, W, new byte[0]), false);
        assertThatThrownBy(() -> IdxDataset.load(zero, null))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("image count is 0, expected a positive size");
    }

    @Test
    void labelCountMismatchNamesBothFiles() throws Exception {
        Path images = IdxFixtures.write(dir.resolve("imgs"), IdxFixtures.images(N, H, W, IdxFixtures.pattern(60)), false);
        Path labels = IdxFixtures.write(dir.resolve("lbls"), IdxFixtures.labels(new byte[] {1, 2, 3, 4}), true);
        assertThatThrownBy(() -> IdxDataset.load(images, labels))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(labels.toString())
                .hasMessageContaining("label count is 4 but " + images + " has 5 images");
    }

    @Test
    void labelOutsideTheKnownClassesIsRejected() throws Exception {
        Path images = IdxFixtures.write(dir.resolve("imgs"), IdxFixtures.images(N, H, W, IdxFixtures.pattern(60)), false);
        Path labels = IdxFixtures.write(dir.resolve("lbls"), IdxFixtures.labels(new byte[] {0, 1, 2, 9, 0}), false);
        assertThatThrownBy(() -> IdxDataset.load(images, labels, "three", List.of("a", "b", "c")))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(labels.toString())
                .hasMessageContaining("label 9 at index 3 is out of range, expected a class in [0, 3)");
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.gz");
        assertThatThrownBy(() -> IdxDataset.load(missing, null))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(missing + ": file not found");
    }
}
