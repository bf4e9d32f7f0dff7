package dev.gancompress.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchSamplerTest {
    private static final int N = 103;

    /** Image i is a 1x2x1 image whose first pixel is byte i, labelled i mod 7: the content names the index. */
    private static ImageDataset indexed(boolean labelled) {
        byte[] pixels = new byte[N * 2];
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            pixels[2 * i] = (byte) i;
            pixels[2 * i + 1] = (byte) (255 - i);
            labels[i] = i % 7;
        }
        List<String> names = IntStream.range(0, 7).mapToObj(Integer::toString).toList();
        return labelled ? new ByteImageDataset(pixels, labels, 1, 2, 1, names, "indexed")
                : new ByteImageDataset(pixels, null, 1, 2, 1, List.of(), "indexed");
    }

    private static int indexOf(float[] images, int i) {
        return Math.round((images[2 * i] + 1f) * 127.5f);
    }

    /** The dataset indices of every batch of an epoch, read back from the image content. */
    private static int[] epochOrder(BatchSampler sampler, int epoch) {
        float[] images = new float[sampler.batchSize() * 2];
        int[] labels = new int[sampler.batchSize()];
        int[] seen = new int[0];
        for (int b = 0; b < sampler.batchesPerEpoch(); b++) {
            int count = sampler.fill(epoch, b, images, labels);
            int[] batch = new int[count];
            for (int i = 0; i < count; i++) {
                batch[i] = indexOf(images, i);
                assertThat(labels[i]).isEqualTo(batch[i] % 7);
                assertThat(images[2 * i + 1]).isEqualTo((255 - batch[i]) / 127.5f - 1f);
            }
            seen = IntStream.concat(Arrays.stream(seen), Arrays.stream(batch)).toArray();
        }
        return seen;
    }

    @Test
    void everyIndexExactlyOncePerEpochIncludingAShortLastBatch() {
        BatchSampler sampler = new BatchSampler(indexed(true), 10, 42L, false);
        assertThat(sampler.batchesPerEpoch()).isEqualTo(11);
        assertThat(sampler.batchLength(10)).isEqualTo(3);
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] order = epochOrder(sampler, epoch);
            assertThat(order).hasSize(N);
            assertThat(IntStream.of(order).sorted().toArray()).isEqualTo(IntStream.range(0, N).toArray());
            assertThat(order).isNotEqualTo(IntStream.range(0, N).toArray());
            assertThat(sampler.indexAt(epoch, 17)).isEqualTo(order[17]);
        }
    }

    @Test
    void dropLastGivesOnlyFullBatchesWithoutRepeats() {
        BatchSampler sampler = new BatchSampler(indexed(true), 10, 1L, true);
        assertThat(sampler.batchesPerEpoch()).isEqualTo(10);
        int[] order = epochOrder(sampler, 0);
        assertThat(order).hasSize(100).doesNotHaveDuplicates();
        assertThat(IntStream.range(0, 10).map(sampler::batchLength)).containsOnly(10);
    }

    @Test
    void batchesArePureFunctionsOfSeedEpochAndIndex() {
        BatchSampler first = new BatchSampler(indexed(true), 16, 7L, false);
        int[][] orders = new int[4][];
        for (int epoch = 0; epoch < 4; epoch++) {
            orders[epoch] = epochOrder(first, epoch);
        }
        assertThat(orders[1]).isNotEqualTo(orders[0]);
        assertThat(orders[2]).isNotEqualTo(orders[1]);

        // A resumed run: a fresh sampler that jumps straight to epoch 2, batch 3, then back to epoch 0.
        BatchSampler resumed = new BatchSampler(indexed(true), 16, 7L, false);
        float[] images = new float[32];
        int[] labels = new int[16];
        resumed.fill(2, 3, images, labels);
        for (int i = 0; i < 16; i++) {
            assertThat(indexOf(images, i)).isEqualTo(orders[2][3 * 16 + i]);
        }
        assertThat(epochOrder(resumed, 0)).isEqualTo(orders[0]);

        BatchSampler otherSeed = new BatchSampler(indexed(true), 16, 8L, false);
        assertThat(epochOrder(otherSeed, 0)).isNotEqualTo(orders[0]);
    }

    @Test
    void unlabelledSetsAndNullLabelBuffersWork() {
        BatchSampler sampler = new BatchSampler(indexed(false), 5, 3L, false);
        float[] images = new float[10];
        int[] labels = new int[5];
        assertThat(sampler.fill(0, 0, images, labels)).isEqualTo(5);
        assertThat(labels).containsOnly(-1);
        float[] again = new float[10];
        sampler.fill(0, 0, again, null);
        assertThat(again).isEqualTo(images);
    }

    @Test
    void rejectsBadArguments() {
        ImageDataset ds = indexed(true);
        assertThatThrownBy(() -> new BatchSampler(ds, 0, 1L, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BatchSampler(ds, 200, 1L, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaves none");
        BatchSampler sampler = new BatchSampler(ds, 10, 1L, false);
        assertThatThrownBy(() -> sampler.fill(0, 0, new float[19], null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 20");
        assertThatThrownBy(() -> sampler.fill(-1, 0, new float[20], null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sampler.fill(0, 11, new float[20], null))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
