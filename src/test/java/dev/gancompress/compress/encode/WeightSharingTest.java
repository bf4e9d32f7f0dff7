package dev.gancompress.compress.encode;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.TestModels;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.compress.prune.MagnitudePruning;
import dev.gancompress.compress.prune.PruningScope;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.runtime.OnnxVerification;
import dev.gancompress.runtime.VerifiedModelWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WeightSharingTest {
    static Model dcgan(long seed) {
        return TestModels.randomize(Dcgan.generator(new DcganSpec(16, 1, 28, 8, 8, 0, 0)), seed);
    }

    private static Model share(Model m, int bits, CentroidInit init, long seed) {
        return new WeightSharing(WeightSharingConfig.of(bits, init, seed)).apply(m, null);
    }

    private static long distinct(float[] v) {
        return java.util.stream.IntStream.range(0, v.length).mapToObj(i -> v[i]).distinct().count();
    }

    @Test
    void sharedWeightsTakeAtMostTwoToTheBitsValuesAndTheRestIsUntouched() {
        Model m = dcgan(1);
        Model s = share(m, 3, CentroidInit.LINEAR, 0);
        int shared = 0;
        for (Map.Entry<String, WeightSlot> e : s.weightSlots().entrySet()) {
            Weights w = e.getValue().weights();
            Weights before = m.weightSlots().get(e.getKey()).weights();
            if (w.storage() instanceof WeightStorage.Codebook cb) {
                shared++;
                assertTrue(cb.size() <= 8);
                assertTrue(distinct(w.data()) <= 8, e.getKey());
                assertArrayEquals(w.effectiveValues(), w.data(), "masters sit on the centroids");
            } else {
                assertArrayEquals(before.data(), w.data(), e.getKey() + " must not change");
            }
        }
        assertEquals(4, shared, "fc, two transposed convolutions and the output conv: " + shared);
    }

    @Test
    void seededAndTheInitialisationsDiffer() {
        Model m = dcgan(2);
        String layer = "fc.weight";
        float[] a = share(m, 4, CentroidInit.RANDOM, 5).weightSlots().get(layer).weights().data();
        float[] b = share(m, 4, CentroidInit.RANDOM, 5).weightSlots().get(layer).weights().data();
        float[] c = share(m, 4, CentroidInit.RANDOM, 6).weightSlots().get(layer).weights().data();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
        // Han et al. Figure 4: linear initialisation keeps a centroid for the rare large weights
        float[] w = m.weightSlots().get(layer).weights().data();
        float maxAbs = 0;
        for (float v : w) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        float[] linear = ((WeightStorage.Codebook) share(m, 3, CentroidInit.LINEAR, 0).weightSlots().get(layer)
                .weights().storage()).centroids();
        float[] density = ((WeightStorage.Codebook) share(m, 3, CentroidInit.DENSITY, 0).weightSlots().get(layer)
                .weights().storage()).centroids();
        float spanLinear = linear[linear.length - 1] - linear[0];
        float spanDensity = density[density.length - 1] - density[0];
        assertTrue(spanLinear > spanDensity, spanLinear + " vs " + spanDensity);
        assertTrue(spanLinear > maxAbs, "linear reaches the tails: " + spanLinear + " vs max " + maxAbs);
    }

    @Test
    void composesWithPruningKeepingExactZeros() {
        Model pruned = new MagnitudePruning(MagnitudePruning.Config.oneShot(0.8, PruningScope.GLOBAL)).apply(dcgan(3),
                null);
        Model s = share(pruned, 4, CentroidInit.LINEAR, 0);
        Weights w = s.weightSlots().get("fc.weight").weights();
        WeightStorage.Codebook cb = (WeightStorage.Codebook) w.storage();
        assertTrue(cb.zeroIndex() >= 0);
        assertTrue(cb.size() <= 16);
        float[] mask = w.mask();
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == 0f) {
                assertEquals(0, Float.floatToRawIntBits(w.data()[i]));
            }
        }
    }

    @Test
    void onnxRuntimeRunsASharedModelAndTheCodebookSurvivesTheFile(@TempDir Path dir) {
        Model s = share(dcgan(4), 4, CentroidInit.DENSITY, 0);
        Path file = dir.resolve("shared.onnx");
        OnnxVerification.Result check = VerifiedModelWriter.write(s, file, Map.of(), true);
        assertNotNull(check);
        Model back = OnnxImporter.read(file);
        for (Map.Entry<String, WeightSlot> e : s.weightSlots().entrySet()) {
            assertEquals(e.getValue().weights().storage(), back.weightSlots().get(e.getKey()).weights().storage());
            assertArrayEquals(e.getValue().weights().data(), back.weightSlots().get(e.getKey()).weights().data());
        }
    }

    @Test
    void centroidUpdateIsTheMeanOfItsWeightsSteps() {
        WeightStorage.Codebook cb = new WeightStorage.Codebook(new float[] {-1f, 0f, 2f});
        Weights w = new Weights(new int[] {2, 3}, new float[] {-1f, 0f, 2f, -1f, 2f, 0f});
        w.setMask(new float[] {1, 0, 1, 1, 1, 1});
        w.setStorage(cb);
        int[] codes = w.codes(); // {0, 1, 2, 0, 2, 1}
        // one optimiser step moved each weight: -1 -> -0.9 and -0.8 (mean +0.15), 2 -> 2.5 and 1.75 (mean +0.125),
        // the unmasked weight on the 0 centroid of a pruned layer -> 0.1 (the 0 centroid stays 0)
        float[] d = w.data();
        d[0] = -0.9f;
        d[3] = -0.8f;
        d[2] = 2.5f;
        d[4] = 1.75f;
        d[5] = 0.1f;
        int[] out = CentroidFineTuning.update(w, cb, codes);
        WeightStorage.Codebook next = (WeightStorage.Codebook) w.storage();
        assertArrayEquals(new float[] {-0.85f, 0f, 2.125f}, next.centroids(), 1e-6f);
        assertArrayEquals(codes, out);
        assertArrayEquals(new float[] {-0.85f, 0f, 2.125f, -0.85f, 2.125f, 0f}, w.data(), 1e-6f);
    }

    @Test
    void fineTuningTrainsTheCentroidsAndKeepsTheWeightsShared(@TempDir Path dir) {
        DcganSpec tiny = new DcganSpec(8, 1, 28, 4, 4, 0, 0);
        Model g = Dcgan.generator(tiny);
        dev.gancompress.nn.Initializer.dcgan(g, 6);
        Model d = Dcgan.discriminator(tiny);
        dev.gancompress.nn.Initializer.dcgan(d, 8);
        Model pruned = new MagnitudePruning(MagnitudePruning.Config.oneShot(0.5, PruningScope.GLOBAL)).apply(g, null);
        WeightSharing sharing = new WeightSharing(WeightSharingConfig.of(3, CentroidInit.LINEAR, 0));
        Model shared = sharing.apply(pruned, null);
        Map<String, float[]> before = new java.util.HashMap<>();
        for (Map.Entry<String, WeightSlot> e : shared.weightSlots().entrySet()) {
            if (e.getValue().weights().storage() instanceof WeightStorage.Codebook cb) {
                before.put(e.getKey(), cb.centroids());
            }
        }
        dev.gancompress.compress.FineTuning.Settings settings = new dev.gancompress.compress.FineTuning.Settings(10, 8,
                2e-3, 2e-3, dev.gancompress.train.GanLoss.NON_SATURATING, 1f, false, 9, 0);
        dev.gancompress.compress.FineTuning.run(shared, d, dev.gancompress.TestImages.blobs(64, 3), settings,
                sharing.controller(shared, null), java.util.List.of(), dir, false);
        boolean moved = false;
        for (Map.Entry<String, float[]> e : before.entrySet()) {
            Weights w = shared.weightSlots().get(e.getKey()).weights();
            WeightStorage.Codebook cb = (WeightStorage.Codebook) w.storage();
            assertTrue(cb.size() <= 8, e.getKey());
            assertTrue(cb.zeroIndex() >= 0, e.getKey() + " keeps its exact 0 centroid");
            moved |= !java.util.Arrays.equals(e.getValue(), cb.centroids());
            float[] data = w.data();
            for (int i = 0; i < data.length; i++) {
                assertEquals(cb.centroid(cb.encode(data[i], 0)), data[i], e.getKey() + "[" + i + "] on a centroid");
                if (w.mask()[i] == 0f) {
                    assertEquals(0f, data[i]);
                }
            }
        }
        assertTrue(moved, "the centroids were trained");
    }

    @Test
    void codebookStorageCodesTheNearestCentroidTiesToTheLowerOne() {
        WeightStorage.Codebook cb = new WeightStorage.Codebook(new float[] {-1f, 0f, 2f});
        assertEquals(0, cb.encode(-5f, 0));
        assertEquals(0, cb.encode(-0.5f, 0), "a tie goes to the lower centroid");
        assertEquals(1, cb.encode(0.9f, 0));
        assertEquals(1, cb.encode(1f, 0));
        assertEquals(2, cb.encode(1.01f, 0));
        assertEquals(2, cb.encode(7f, 0));
        assertEquals(1, cb.zeroCode(0));
        assertEquals(2, cb.bits());
        assertThrows(IllegalStateException.class, () -> new WeightStorage.Codebook(new float[] {1f, 2f}).zeroCode(0));
        assertThrows(IllegalArgumentException.class, () -> new WeightStorage.Codebook(new float[] {1f, 1f}));
        assertThrows(IllegalArgumentException.class, () -> new WeightStorage.Codebook(new float[] {Float.NaN}));
    }

    @Test
    void configuredFromJsonWithCheckedFields() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Compression c = CompressionRegistry.create("weight-sharing",
                json.readTree("{\"bits\": 5, \"init\": \"density\", \"seed\": 3}"));
        assertEquals(new WeightSharingConfig(5, CentroidInit.DENSITY, null, 3L, null, null), c.config());
        GanCompressException e = assertThrows(GanCompressException.class, () -> CompressionRegistry.create(
                "weight-sharing", json.readTree("{\"bits\": 9}")));
        assertTrue(e.getMessage().contains("field 'bits' must be an integer in [1, 8]"), e.getMessage());
        GanCompressException init = assertThrows(GanCompressException.class, () -> CompressionRegistry.create(
                "weight-sharing", json.readTree("{\"init\": \"kmeans++\"}")));
        assertTrue(init.getMessage().contains("linear, density, random"), init.getMessage());
    }
}
