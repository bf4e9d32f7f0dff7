package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReferenceStatsCacheTest {
    private static final String KEY = ReferenceStatsCache.key("data", "eval", "pool", 40);

    @TempDir
    Path dir;

    private final ReferenceStatsCache cache = new ReferenceStatsCache();

    private static Supplier<float[][]> counting(AtomicInteger calls, double shift) {
        return () -> {
            calls.incrementAndGet();
            return GaussianStatsTest.gaussianSamples(40, 3, 9, shift);
        };
    }

    @Test
    void missingFileIsComputedWrittenAndThenReused() {
        AtomicInteger calls = new AtomicInteger();
        GaussianStats first = cache.getOrCompute(dir, KEY, counting(calls, 0), false);
        assertThat(calls).hasValue(1);
        assertThat(ReferenceStatsCache.fileFor(dir, KEY)).exists();
        GaussianStats second = cache.getOrCompute(dir, KEY, counting(calls, 0), false);
        assertThat(calls).hasValue(1);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void refreshRecomputes() {
        AtomicInteger calls = new AtomicInteger();
        GaussianStats first = cache.getOrCompute(dir, KEY, counting(calls, 0), false);
        GaussianStats refreshed = cache.getOrCompute(dir, KEY, counting(calls, 5), true);
        assertThat(calls).hasValue(2);
        assertThat(refreshed).isNotEqualTo(first);
        assertThat(GaussianStats.load(ReferenceStatsCache.fileFor(dir, KEY), KEY)).isEqualTo(refreshed);
    }

    @Test
    void corruptFileThrowsUnlessRefreshed() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        cache.getOrCompute(dir, KEY, counting(calls, 0), false);
        Path file = ReferenceStatsCache.fileFor(dir, KEY);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        assertThatThrownBy(() -> cache.getOrCompute(dir, KEY, counting(calls, 0), false))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("checksum mismatch")
                .hasMessageContaining("refresh");
        assertThat(calls).hasValue(1);
        GaussianStats recomputed = cache.getOrCompute(dir, KEY, counting(calls, 0), true);
        assertThat(calls).hasValue(2);
        assertThat(GaussianStats.load(file, KEY)).isEqualTo(recomputed);
    }

    @Test
    void differentKeysUseDifferentFiles() {
        String other = ReferenceStatsCache.key("data", "eval", "pool", 41);
        assertThat(ReferenceStatsCache.fileFor(dir, KEY)).isNotEqualTo(ReferenceStatsCache.fileFor(dir, other));
        assertThat(KEY).isEqualTo("dataset=data;evaluator=eval;layer=pool;n=40");
    }
}
