package dev.gancompress.data;

import dev.gancompress.nn.Parallel;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Mini-batches drawn without replacement: each epoch visits every image once in an order given by a
 * Fisher-Yates shuffle seeded from (seed, epoch) alone. A batch is therefore a pure function of
 * (seed, epoch, batchIndex), so a training run resumed from a checkpoint that stored only the epoch
 * and batch index sees exactly the batches the uninterrupted run would have seen.
 *
 * <p>Only the current epoch's permutation (one int per image) is kept; batches are written into
 * caller-owned buffers, so steady-state training allocates nothing here. Not for concurrent use.
 */
public final class BatchSampler {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final ImageDataset dataset;
    private final int batchSize;
    private final long seed;
    private final boolean dropLast;
    private final int[] order;
    private int orderEpoch = -1;

    /**
     * @param dropLast if true, the last incomplete batch of an epoch is skipped, so every batch is full
     */
    public BatchSampler(ImageDataset dataset, int batchSize, long seed, boolean dropLast) {
        this.dataset = Objects.requireNonNull(dataset);
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (dropLast && batchSize > dataset.size()) {
            throw new IllegalArgumentException("batch size " + batchSize + " exceeds the " + dataset.size()
                    + " images of " + dataset.description() + ", so dropping the last batch leaves none");
        }
        this.batchSize = batchSize;
        this.seed = seed;
        this.dropLast = dropLast;
        this.order = new int[dataset.size()];
    }

    public ImageDataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The number of images in batch {@code batchIndex}: batchSize, except maybe the last one. */
    public int batchLength(int batchIndex) {
        Objects.checkIndex(batchIndex, batchesPerEpoch());
        return Math.min(batchSize, dataset.size() - batchIndex * batchSize);
    }

    /**
     * Writes batch {@code batchIndex} of {@code epoch}: images as NCHW floats in [-1, 1] from index 0 of
     * {@code images}, and their classes into {@code labels} (may be null; -1 for an unlabelled set).
     *
     * @return the number of images written, {@link #batchLength(int)}
     */
    public int fill(int epoch, int batchIndex, float[] images, int[] labels) {
        int count = batchLength(batchIndex);
        int imageSize = dataset.imageSize();
        if (images.length < count * imageSize) {
            throw new IllegalArgumentException("image buffer holds " + images.length + " floats, batch needs "
                    + count * imageSize);
        }
        if (labels != null && labels.length < count) {
            throw new IllegalArgumentException("label buffer holds " + labels.length + ", batch needs " + count);
        }
        int[] perm = order(epoch);
        int first = batchIndex * batchSize;
        Parallel.forRange(count, 8, (start, end) -> {
            for (int i = start; i < end; i++) {
                dataset.copyImage(perm[first + i], images, i * imageSize);
            }
        });
        if (labels != null) {
            for (int i = 0; i < count; i++) {
                labels[i] = dataset.label(perm[first + i]);
            }
        }
        return count;
    }

    /** The dataset index at {@code position} of {@code epoch}'s visiting order. */
    public int indexAt(int epoch, int position) {
        return order(epoch)[Objects.checkIndex(position, order.length)];
    }

    private int[] order(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be non-negative, got " + epoch);
        }
        if (epoch != orderEpoch) {
            // A fresh identity each epoch (rather than reshuffling the last order) keeps an epoch's order
            // independent of which epochs were computed before it.
            SplittableRandom random = new SplittableRandom(seed ^ (GOLDEN_GAMMA * (epoch + 1L)));
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            orderEpoch = epoch;
        }
        return order;
    }
}
