package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Reference (real-data) feature statistics are expensive (a full pass of the evaluator over the dataset)
 * and identical across every compressed variant, so they are computed once and kept on disk, keyed by
 * what they depend on. A corrupt file is an error, not a silent recompute, because it usually means a
 * concurrent writer or a disk problem the user should know about; {@code refresh} is the explicit way out.
 */
public final class ReferenceStatsCache {

    /** The provenance key: everything the statistics depend on. */
    public static String key(String datasetHash, String evaluatorHash, String layer, long n) {
        return "dataset=" + datasetHash + ";evaluator=" + evaluatorHash + ";layer=" + layer + ";n=" + n;
    }

    /** The cache file for a key: a hash, since keys contain characters file systems dislike. */
    public static Path fileFor(Path cacheDir, String key) {
        return cacheDir.resolve("stats-" + dev.gancompress.Digests.sha256(key).substring(0, 24) + ".gcstats");
    }

    /**
     * Returns the cached statistics for key, computing them from {@code features} (and writing them) when the
     * file is missing or when {@code refresh} is set. A corrupt or foreign file throws unless refresh is set.
     */
    public GaussianStats getOrCompute(Path cacheDir, String key, Supplier<float[][]> features, boolean refresh) {
        Path file = fileFor(cacheDir, key);
        if (!refresh && Files.exists(file)) {
            try {
                return GaussianStats.load(file, key);
            } catch (GanCompressException e) {
                throw new GanCompressException(e.getMessage() + " (delete it or recompute with refresh)", e);
            }
        }
        GaussianStats stats = GaussianStats.of(features.get());
        stats.save(file, key);
        return stats;
    }
}
