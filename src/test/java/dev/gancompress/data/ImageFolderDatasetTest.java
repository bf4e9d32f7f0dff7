package dev.gancompress.data;

import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ImageFolderDatasetTest {
    @TempDir
    Path dir;

    @Test
    void flatFolderOfGreyPngsKeepsExactValuesInSortedOrder() throws Exception {
        // Written out of order: the loader must sort by name.
        writeGrey(dir.resolve("b.png"), 3, 2, (x, y) -> 10 * x + y);
        writeGrey(dir.resolve("a.png"), 3, 2, (x, y) -> 255 - x);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        Files.writeString(dir.resolve(".hidden.png"), "ignored");

        ImageDataset ds = ImageFolderDataset.load(dir, 1, 2, 3, true);

        assertThat(ds.size()).isEqualTo(2);
        assertThat(ds.numClasses()).isZero();
        assertThat(ds.label(1)).isEqualTo(-1);
        float[] img = new float[6];
        ds.copyImage(0, img, 0); // a.png
        assertThat(img).containsExactly(1f, 254 / 127.5f - 1, 253 / 127.5f - 1, 1f, 254 / 127.5f - 1, 253 / 127.5f - 1);
        ds.copyImage(1, img, 0); // b.png: raw grey values, no sRGB brightening
        assertThat(img[0]).isEqualTo(-1f);
        assertThat(img[1 * 3 + 2]).isCloseTo(21 / 127.5f - 1, within(1e-6f));
        assertThat(ds.description()).contains("2 images", "unlabelled");
    }

    @Test
    void classSubfoldersGiveLabelsInSortedFolderOrder() throws Exception {
        for (String cls : new String[] {"zebra", "ant", "moth"}) {
            Files.createDirectories(dir.resolve(cls));
        }
        writeGrey(dir.resolve("zebra/1.png"), 4, 4, (x, y) -> 200);
        writeGrey(dir.resolve("ant/1.png"), 4, 4, (x, y) -> 0);
        writeGrey(dir.resolve("ant/2.png"), 4, 4, (x, y) -> 0);
        writeGrey(dir.resolve("moth/1.png"), 4, 4, (x, y) -> 100);

        ImageDataset ds = ImageFolderDataset.load(dir, 1, 4, 4);

        assertThat(ds.classNames()).containsExactly("ant", "moth", "zebra");
        assertThat(ds.numClasses()).isEqualTo(3);
        assertThat(new int[] {ds.label(0), ds.label(1), ds.label(2), ds.label(3)}).containsExactly(0, 0, 1, 2);
        float[] img = new float[16];
        ds.copyImage(3, img, 0);
        assertThat(img[5]).isCloseTo(200 / 127.5f - 1, within(1e-6f));
    }

    @Test
    void colourImagesLoadAsRgbOrLuma() throws Exception {
        BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0xff0000);
        rgb.setRGB(1, 0, 0x00ff80);
        ImageIO.write(rgb, "png", dir.resolve("c.png").toFile());

        ImageDataset colour = ImageFolderDataset.load(dir, 3, 1, 2);
        float[] img = new float[6];
        colour.copyImage(0, img, 0);
        // Planes R, G, B.
        assertThat(img).containsExactly(1f, -1f, -1f, 1f, -1f, 128 / 127.5f - 1);

        ImageDataset grey = ImageFolderDataset.load(dir, 1, 1, 2);
        grey.copyImage(0, img, 0);
        assertThat(img[0]).isCloseTo(Math.round(0.299f * 255) / 127.5f - 1, within(1e-6f));
        assertThat(img[1]).isCloseTo(Math.round(0.587f * 255 + 0.114f * 128) / 127.5f - 1, within(1e-6f));
    }

    @Test
    void transparentPixelsBecomeBlackAndJpegsDecode() throws Exception {
        BufferedImage argb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00ffffff); // fully transparent white
        argb.setRGB(1, 0, 0xffffffff);
        argb.setRGB(0, 1, 0xffffffff);
        argb.setRGB(1, 1, 0xffffffff);
        ImageIO.write(argb, "png", dir.resolve("a.png").toFile());
        BufferedImage flat = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                flat.setRGB(x, y, 0x808080);
            }
        }
        ImageIO.write(flat, "jpg", dir.resolve("b.JPG").toFile());

        ImageDataset ds = ImageFolderDataset.load(dir, 1, 2, 2);
        float[] img = new float[4];
        ds.copyImage(0, img, 0);
        assertThat(img).containsExactly(-1f, 1f, 1f, 1f);
        ds.copyImage(1, img, 0); // JPEG, shrunk 8x8 -> 2x2 by area averaging
        for (float v : img) {
            assertThat(v).isCloseTo(128 / 127.5f - 1, within(0.03f));
        }
    }

    @Test
    void resizesBilinearUpAndAreaAverageDown() throws Exception {
        writeGrey(dir.resolve("up.png"), 2, 1, (x, y) -> x == 0 ? 0 : 255);
        float[] img = new float[4];
        ImageFolderDataset.load(dir, 1, 1, 4).copyImage(0, img, 0);
        // Half-pixel centres: sources at -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
        assertThat(toBytes(img)).containsExactly(0, 64, 191, 255);

        Files.delete(dir.resolve("up.png"));
        writeGrey(dir.resolve("down.png"), 4, 4, (x, y) -> x < 2 ? (y < 2 ? 0 : 100) : 255);
        ImageFolderDataset.load(dir, 1, 2, 2).copyImage(0, img, 0);
        assertThat(toBytes(img)).containsExactly(0, 255, 100, 255);

        Files.delete(dir.resolve("down.png"));
        writeGrey(dir.resolve("odd.png"), 3, 1, (x, y) -> 30 * x);
        ImageFolderDataset.load(dir, 1, 1, 2).copyImage(0, img, 0);
        // Each output covers 1.5 source pixels: (0 + 0.5*30)/1.5 = 10 and (0.5*30 + 60)/1.5 = 50.
        assertThat(toBytes(img)).startsWith(10, 50);
    }

    @Test
    void strictSizeRejectsOtherSizes() throws Exception {
        writeGrey(dir.resolve("a.png"), 28, 28, (x, y) -> 0);
        writeGrey(dir.resolve("big.png"), 32, 32, (x, y) -> 0);
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 1, 28, 28, true))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("image " + dir.resolve("big.png") + " is 32x32, expected 28x28");
        writeGrey(dir.resolve("big.png"), 40, 30, (x, y) -> 0); // 40 wide, 30 high
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 1, 28, 28, true))
                .hasMessageContaining("is 30x40, expected 28x28 (height x width)");
        assertThat(ImageFolderDataset.load(dir, 1, 28, 28, false).size()).isEqualTo(2);
    }

    @Test
    void undecodableFileIsNamed() throws Exception {
        writeGrey(dir.resolve("a.png"), 4, 4, (x, y) -> 0);
        Files.write(dir.resolve("broken.png"), new byte[] {1, 2, 3, 4, 5});
        writeGrey(dir.resolve("c.png"), 4, 4, (x, y) -> 0);
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 1, 4, 4))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("cannot decode image " + dir.resolve("broken.png"));
    }

    @Test
    void badLayoutsAreRejected() throws Exception {
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 1, 4, 4))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("no PNG/JPEG images found");
        Files.createDirectories(dir.resolve("cls"));
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 1, 4, 4))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("class folder cls has no PNG/JPEG images");
        writeGrey(dir.resolve("cls/x.png"), 4, 4, (x, y) -> 0);
        writeGrey(dir.resolve("loose.png"), 4, 4, (x, y) -> 0);
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 1, 4, 4))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("mixes images (loose.png)");
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 2, 4, 4))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("channels must be 1 or 3");
        assertThatThrownBy(() -> ImageFolderDataset.load(dir.resolve("missing"), 1, 4, 4))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("not a directory");
    }

    interface Shade {
        int at(int x, int y);
    }

    static void writeGrey(Path file, int width, int height, Shade shade) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.getRaster().setSample(x, y, 0, shade.at(x, y));
            }
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
    }

    private static int[] toBytes(float[] img) {
        int[] out = new int[img.length];
        for (int i = 0; i < img.length; i++) {
            out[i] = Math.round((img[i] + 1f) * 127.5f);
        }
        return out;
    }
}
