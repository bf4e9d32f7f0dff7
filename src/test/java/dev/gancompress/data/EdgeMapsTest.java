package dev.gancompress.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EdgeMapsTest {
    /** A 6x8 image: black left half, white right half (a vertical step between columns 3 and 4). */
    private static ByteImageDataset step() {
        byte[] px = new byte[6 * 8];
        for (int y = 0; y < 6; y++) {
            for (int x = 4; x < 8; x++) {
                px[y * 8 + x] = (byte) 255;
            }
        }
        return new ByteImageDataset(px, null, 1, 6, 8, List.of(), "step");
    }

    private static byte[] bytes(ImageDataset ds, int index) {
        float[] f = new float[ds.imageSize()];
        ds.copyImage(index, f, 0);
        byte[] b = new byte[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = (byte) Math.round((f[i] + 1) * 127.5f);
        }
        return b;
    }

    @Test
    void stepEdgeIsMarkedOnTheTwoColumnsAroundTheStepOnly() {
        // Sobel gx at columns 3 and 4 is 4 * 255 = 1020 > 200; elsewhere 0 (the border repeats the edge pixel)
        ByteImageDataset edges = EdgeMaps.sobel(step(), EdgeMaps.FASHION_THRESHOLD);
        byte[] e = bytes(edges, 0);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                assertThat(e[y * 8 + x] & 0xff).as("pixel (%d, %d)", x, y).isEqualTo(x == 3 || x == 4 ? 255 : 0);
            }
        }
    }

    @Test
    void thresholdIsStrict() {
        // magnitude of the step is exactly 1020: no edge at threshold 1020, an edge at 1019
        assertThat(bytes(EdgeMaps.sobel(step(), 1020), 0)).containsOnly(0);
        assertThat(bytes(EdgeMaps.sobel(step(), 1019), 0)).contains((byte) 255);
    }

    @Test
    void sameImagesGiveTheSameBytes() {
        ImageDataset noise = dev.gancompress.TestImages.noise(50);
        ByteImageDataset a = EdgeMaps.sobel(noise, 300);
        ByteImageDataset b = EdgeMaps.sobel(dev.gancompress.TestImages.noise(50), 300);
        assertThat(a.contentHash()).isEqualTo(b.contentHash());
        assertThat(EdgeMaps.sobel(noise, 301).contentHash()).isNotEqualTo(a.contentHash());
    }

    @Test
    void fashionEdgesTaskIsDeterministicAndAligned() {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.SYSTEM_DIR), "Fashion-MNIST not installed");
        PairedDataset first = EdgeMaps.fashionTest(null);
        PairedDataset second = EdgeMaps.fashionTest(null);
        assertThat(first.size()).isEqualTo(10_000);
        assertThat(first.inputs().height()).isEqualTo(32);
        assertThat(first.inputs().contentHash()).isEqualTo(second.inputs().contentHash());
        assertThat(first.contentHash()).isEqualTo(second.contentHash());
        // the edge map of pair 7 is the edge map of target 7
        ByteImageDataset own = EdgeMaps.sobel(new ByteImageDataset(bytes(first.targets(), 7), null, 1, 32, 32,
                List.of(), "one"), EdgeMaps.FASHION_THRESHOLD);
        assertThat(bytes(first.inputs(), 7)).isEqualTo(bytes(own, 0));
        // the stacked view carries the input then the target
        float[] stacked = new float[2 * 1024];
        first.stacked().copyImage(7, stacked, 0);
        float[] target = new float[1024];
        first.targets().copyImage(7, target, 0);
        assertThat(java.util.Arrays.copyOfRange(stacked, 1024, 2048)).isEqualTo(target);
    }
}
