package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GaussianStatsTest {
    private static final String KEY = ReferenceStatsCache.key("abc123", "def456", "pool", 300);

    @TempDir
    Path dir;

    static float[][] gaussianSamples(int n, int d, long seed, double shift) {
        Random r = new Random(seed);
        float[][] f = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                f[i][j] = (float) (r.nextGaussian() * (1 + 0.1 * j) + shift);
            }
        }
        return f;
    }

    @Test
    void meanAndUnbiasedCovarianceMatchTheTextbookFormula() {
        // 70 samples so the 64-sample centring blocks have a remainder; odd d for the row pairing.
        float[][] f = gaussianSamples(70, 7, 1, 0.5);
        GaussianStats s = GaussianStats.of(f);
        int n = f.length;
        int d = 7;
        for (int i = 0; i < d; i++) {
            double mi = 0;
            for (float[] row : f) {
                mi += row[i];
            }
            mi /= n;
            assertThat(s.mean()[i]).isCloseTo(mi, within(1e-12));
            for (int j = 0; j < d; j++) {
                double mj = 0;
                for (float[] row : f) {
                    mj += row[j];
                }
                mj /= n;
                double c = 0;
                for (float[] row : f) {
                    c += (row[i] - mi) * (row[j] - mj);
                }
                assertThat(s.covariance()[i][j]).isCloseTo(c / (n - 1), within(1e-12));
            }
        }
        assertThat(s.count()).isEqualTo(70);
        assertThat(s.covariance()[2][5]).isEqualTo(s.covariance()[5][2]);
    }

    @Test
    void saveLoadRoundTripIsExact() {
        GaussianStats s = GaussianStats.of(gaussianSamples(300, 5, 2, 0));
        Path file = dir.resolve("sub/ref.gcstats");
        s.save(file, KEY);
        GaussianStats back = GaussianStats.load(file, KEY);
        assertThat(back).isEqualTo(s);
        assertThat(Arrays.equals(back.mean(), s.mean())).isTrue();
        assertThat(back.count()).isEqualTo(300);
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("ref.gcstats");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void corruptFileIsRejectedNamingTheFileAndTheProblem() throws IOException {
        Path file = dir.resolve("ref.gcstats");
        GaussianStats.of(gaussianSamples(50, 4, 3, 0)).save(file, KEY);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 20] ^= 0x10;
        Files.write(file, bytes);
        assertThatThrownBy(() -> GaussianStats.load(file, KEY))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void truncatedFileIsRejected() throws IOException {
        Path file = dir.resolve("ref.gcstats");
        GaussianStats.of(gaussianSamples(50, 4, 3, 0)).save(file, KEY);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 9));
        assertThatThrownBy(() -> GaussianStats.load(file, KEY))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated");
        Files.write(file, Arrays.copyOf(bytes, 10));
        assertThatThrownBy(() -> GaussianStats.load(file))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("truncated header");
    }

    @Test
    void foreignFileIsRejectedByItsMagic() throws IOException {
        Path file = dir.resolve("ref.gcstats");
        Files.writeString(file, "this is a text file, not statistics at all");
        assertThatThrownBy(() -> GaussianStats.load(file))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("bad magic");
    }

    @Test
    void keyMismatchIsRejectedShowingBothKeys() {
        Path file = dir.resolve("ref.gcstats");
        GaussianStats.of(gaussianSamples(50, 4, 3, 0)).save(file, KEY);
        String other = ReferenceStatsCache.key("abc123", "def456", "logits", 300);
        assertThatThrownBy(() -> GaussianStats.load(file, other))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("key mismatch")
                .hasMessageContaining("layer=pool")
                .hasMessageContaining("layer=logits");
    }

    @Test
    void tooFewSamplesAreAnInputError() {
        assertThatThrownBy(() -> GaussianStats.of(new float[][] {{1, 2}}))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("at least 2 samples");
    }
}
