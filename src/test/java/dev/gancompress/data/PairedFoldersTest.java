package dev.gancompress.data;

import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntBinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PairedFoldersTest {
    @TempDir
    Path dir;

    private static void writeGrey(Path file, int w, int h, IntBinaryOperator value) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, value.applyAsInt(x, y));
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    private static float level(int b) {
        return b / 127.5f - 1f;
    }

    @Test
    void sideBySideFilesSplitIntoInputLeftAndTargetRight() throws Exception {
        // pixel value = 10 * x + y over the whole 8 x 3 file: left half x in 0..3, right half x in 4..7
        writeGrey(dir.resolve("b.png"), 8, 3, (x, y) -> 10 * x + y);
        writeGrey(dir.resolve("a.png"), 8, 3, (x, y) -> 200);

        PairedDataset pairs = PairedFolders.load(dir, 1, 1);

        assertThat(pairs.size()).isEqualTo(2);
        assertThat(pairs.height()).isEqualTo(3);
        assertThat(pairs.width()).isEqualTo(4);
        float[] in = new float[12];
        float[] out = new float[12];
        pairs.inputs().copyImage(1, in, 0); // b.png, second in sorted order
        pairs.targets().copyImage(1, out, 0);
        assertThat(in[2 * 4 + 3]).isEqualTo(level(10 * 3 + 2));
        assertThat(out[2 * 4 + 3]).isEqualTo(level(10 * 7 + 2));
        assertThat(out[0]).isEqualTo(level(40));
        pairs.inputs().copyImage(0, in, 0);
        assertThat(in).containsOnly(level(200));
    }

    @Test
    void oddWidthIsRejectedNamingTheFile() throws Exception {
        writeGrey(dir.resolve("a.png"), 8, 3, (x, y) -> 0);
        writeGrey(dir.resolve("odd.png"), 7, 3, (x, y) -> 0);
        assertThatThrownBy(() -> PairedFolders.load(dir, 1, 1))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("odd.png").hasMessageContaining("7 pixels wide, an odd width");
    }

    @Test
    void sideBySideFilesOfDifferentSizesAreRejected() throws Exception {
        writeGrey(dir.resolve("a.png"), 8, 3, (x, y) -> 0);
        writeGrey(dir.resolve("b.png"), 8, 4, (x, y) -> 0);
        assertThatThrownBy(() -> PairedFolders.load(dir, 1, 1))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("b.png is 4x8").hasMessageContaining("a.png is 3x8")
                .hasMessageContaining("every pair must have the same size");
    }

    @Test
    void splitFoldersPairByName() throws Exception {
        writeGrey(dir.resolve("A/x.png"), 4, 4, (x, y) -> 0);
        writeGrey(dir.resolve("B/x.png"), 4, 4, (x, y) -> 255);
        writeGrey(dir.resolve("A/y.png"), 4, 4, (x, y) -> 100);
        writeGrey(dir.resolve("B/y.png"), 4, 4, (x, y) -> 50);

        PairedDataset pairs = PairedFolders.load(dir, 1, 1);

        assertThat(PairedFolders.isSplit(dir)).isTrue();
        assertThat(pairs.size()).isEqualTo(2);
        float[] v = new float[16];
        pairs.inputs().copyImage(1, v, 0);
        assertThat(v).containsOnly(level(100));
        pairs.targets().copyImage(1, v, 0);
        assertThat(v).containsOnly(level(50));
        pairs.targets().copyImage(0, v, 0);
        assertThat(v).containsOnly(1f);
    }

    @Test
    void unmatchedNamesAreRejectedEitherWay() throws Exception {
        writeGrey(dir.resolve("A/x.png"), 4, 4, (x, y) -> 0);
        writeGrey(dir.resolve("B/x.png"), 4, 4, (x, y) -> 0);
        writeGrey(dir.resolve("A/only-input.png"), 4, 4, (x, y) -> 0);
        assertThatThrownBy(() -> PairedFolders.load(dir, 1, 1))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("A/only-input.png has no target B/only-input.png");
        Files.delete(dir.resolve("A/only-input.png"));
        writeGrey(dir.resolve("B/only-target.png"), 4, 4, (x, y) -> 0);
        assertThatThrownBy(() -> PairedFolders.load(dir, 1, 1))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("B/only-target.png has no input A/only-target.png");
    }

    @Test
    void inputAndTargetOfDifferentSizesAreRejected() throws Exception {
        writeGrey(dir.resolve("A/x.png"), 4, 4, (x, y) -> 0);
        writeGrey(dir.resolve("B/x.png"), 5, 4, (x, y) -> 0);
        assertThatThrownBy(() -> PairedFolders.load(dir, 1, 1))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("x.png is 4x4 in A/ but 4x5 in B/")
                .hasMessageContaining("input and target must have the same size");
    }

    @Test
    void datasetsOpensPairsAndResizesThemToTheModelSize() throws Exception {
        writeGrey(dir.resolve("a.png"), 32, 16, (x, y) -> x < 16 ? 0 : 255);
        PairedDataset pairs = Datasets.openPaired(dir.toString(), null, 1, 1, 8);
        assertThat(pairs.height()).isEqualTo(8);
        float[] v = new float[64];
        pairs.targets().copyImage(0, v, 0);
        assertThat(v).containsOnly(1f);
        assertThatThrownBy(() -> Datasets.openPaired(dir.resolve("missing").toString(), null, 1, 1, 8))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("not found").hasMessageContaining("A|B");
    }
}
