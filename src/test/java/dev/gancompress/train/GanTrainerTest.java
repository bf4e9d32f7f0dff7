package dev.gancompress.train;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GanTrainerTest {
    private static final DcganSpec TINY = new DcganSpec(8, 1, 28, 4, 4, 0, 0);
    private static final DcganSpec TINY_CONDITIONAL = new DcganSpec(8, 1, 28, 4, 4, 3, 4);

    static ImageDataset blobs(int n, int classes) {
        return dev.gancompress.TestImages.blobs(n, classes);
    }

    private static TrainingConfig config(int epochs) {
        return new TrainingConfig(epochs, 8, 2e-3, 2e-3, 0.5, 0.999, GanLoss.NON_SATURATING, 42, 0, 0);
    }

    private static List<float[]> snapshot(Model m) {
        List<float[]> list = new ArrayList<>();
        for (Node n : m.nodes()) {
            for (WeightSlot s : n.layer().weights()) {
                list.add(s.weights().data().clone());
            }
        }
        return list;
    }

    private static void assertSameWeights(Model a, Model b) {
        List<float[]> sa = snapshot(a);
        List<float[]> sb = snapshot(b);
        for (int i = 0; i < sa.size(); i++) {
            assertThat(sa.get(i)).as("tensor " + i).isEqualTo(sb.get(i));
        }
    }

    private static Model[] fresh(GanTrainer trainer, DcganSpec spec) {
        Model g = Dcgan.generator(spec);
        Model d = Dcgan.discriminator(spec);
        trainer.initialise(g, d);
        return new Model[] {g, d};
    }

    @Test
    void thirtyStepsGiveFiniteLossesAndChangeTheWeights(@TempDir Path dir) {
        GanTrainer trainer = new GanTrainer(config(10).withMaxSteps(30));
        Model[] gd = fresh(trainer, TINY);
        List<float[]> before = snapshot(gd[0]);
        List<StepResult> steps = new ArrayList<>();
        trainer.addHook(new TrainingHook() {
            @Override
            public void onStep(StepResult r) {
                steps.add(r);
            }
        });
        GanTrainer.Result result = trainer.run(gd[0], gd[1], blobs(64, 3), dir, false);
        assertThat(result.steps()).isEqualTo(30);
        assertThat(steps).hasSize(30);
        for (StepResult r : steps) {
            assertThat(r.losses()).containsKeys("d_real", "d_fake", "g_adv");
            r.losses().values().forEach(v -> assertThat(v).isFinite());
        }
        List<float[]> after = snapshot(gd[0]);
        boolean changed = false;
        for (int i = 0; i < before.size(); i++) {
            changed |= !java.util.Arrays.equals(before.get(i), after.get(i));
        }
        assertThat(changed).isTrue();
        assertThat(dir.resolve(GanTrainer.CHECKPOINT_FILE)).exists();
    }

    private static List<List<float[]>> oneStepWithLearningRateScale(Path dir, double scale) {
        GanTrainer trainer = new GanTrainer(config(1).withMaxSteps(1)).addHook(new TrainingHook() {
            @Override
            public double learningRateScale(long step) {
                return scale;
            }
        });
        Model[] gd = fresh(trainer, TINY);
        List<float[]> before = trainable(gd[1]);
        trainer.run(gd[0], gd[1], blobs(32, 3), dir, false);
        return List.of(before, trainable(gd[1]), trainable(gd[0]));
    }

    /** Learned tensors only: batch-norm running statistics move with every forward pass, whatever the rate. */
    private static List<float[]> trainable(Model m) {
        List<float[]> list = new ArrayList<>();
        for (Node n : m.nodes()) {
            for (WeightSlot s : n.layer().weights()) {
                if (s.trainable()) {
                    list.add(s.weights().data().clone());
                }
            }
        }
        return list;
    }

    @Test
    void hooksScaleBothLearningRates(@TempDir Path dir) {
        List<List<float[]>> full = oneStepWithLearningRateScale(dir.resolve("full"), 1.0);
        List<List<float[]>> half = oneStepWithLearningRateScale(dir.resolve("half"), 0.5);
        List<List<float[]>> zero = oneStepWithLearningRateScale(dir.resolve("zero"), 0.0);
        // the discriminator's first update starts from the same state in all three runs: its step halves exactly
        double fullNorm = 0;
        double halfNorm = 0;
        for (int t = 0; t < full.get(0).size(); t++) {
            float[] w0 = full.get(0).get(t);
            for (int i = 0; i < w0.length; i++) {
                double df = full.get(1).get(t)[i] - w0[i];
                double dh = half.get(1).get(t)[i] - w0[i];
                assertThat(dh).isCloseTo(df / 2, org.assertj.core.data.Offset.offset(1e-6));
                fullNorm += Math.abs(df);
                halfNorm += Math.abs(dh);
            }
            assertThat(zero.get(1).get(t)).isEqualTo(w0);
        }
        assertThat(fullNorm).isGreaterThan(0);
        assertThat(halfNorm).isCloseTo(fullNorm / 2, org.assertj.core.data.Offset.offset(fullNorm * 1e-3));
        // a zero rate leaves the generator as initialised too
        Model g = Dcgan.generator(TINY);
        new GanTrainer(config(1)).initialise(g, Dcgan.discriminator(TINY));
        List<float[]> g0 = trainable(g);
        for (int t = 0; t < g0.size(); t++) {
            assertThat(zero.get(2).get(t)).isEqualTo(g0.get(t));
            assertThat(full.get(2).get(t)).isNotEqualTo(g0.get(t));
        }
    }

    @Test
    void sameSeedGivesIdenticalWeights(@TempDir Path dir) {
        Model[] a = fresh(new GanTrainer(config(1)), TINY_CONDITIONAL);
        new GanTrainer(config(1)).run(a[0], a[1], blobs(48, 3), dir.resolve("a"), false);
        Model[] b = fresh(new GanTrainer(config(1)), TINY_CONDITIONAL);
        new GanTrainer(config(1)).run(b[0], b[1], blobs(48, 3), dir.resolve("b"), false);
        assertSameWeights(a[0], b[0]);
        assertSameWeights(a[1], b[1]);
    }

    @Test
    void resumeAfterAKillGivesTheSameWeightsAsAnUninterruptedRun(@TempDir Path dir) {
        ImageDataset data = blobs(48, 3);
        Model[] straight = fresh(new GanTrainer(config(2)), TINY);
        new GanTrainer(config(2)).run(straight[0], straight[1], data, dir.resolve("straight"), false);

        // one epoch, then a new process resumes for the second
        Path run = dir.resolve("resumed");
        Model[] first = fresh(new GanTrainer(config(1)), TINY);
        new GanTrainer(config(1)).run(first[0], first[1], data, run, false);
        Model[] second = fresh(new GanTrainer(config(2)), TINY);
        new GanTrainer(config(2)).run(second[0], second[1], data, run, true);
        assertSameWeights(straight[0], second[0]);
        assertSameWeights(straight[1], second[1]);

        // killed mid-epoch (an exception at step 9), resumed from the step-4 checkpoint
        TrainingConfig every4 = new TrainingConfig(2, 8, 2e-3, 2e-3, 0.5, 0.999, GanLoss.NON_SATURATING, 42, 4, 0);
        Path killedRun = dir.resolve("killed");
        Model[] killed = fresh(new GanTrainer(every4), TINY);
        GanTrainer dying = new GanTrainer(every4).addHook(new TrainingHook() {
            @Override
            public void onStep(StepResult r) {
                if (r.step() == 9) {
                    throw new IllegalStateException("simulated kill");
                }
            }
        });
        assertThatThrownBy(() -> dying.run(killed[0], killed[1], data, killedRun, false))
                .hasMessageContaining("simulated kill");
        Model[] revived = fresh(new GanTrainer(every4), TINY);
        new GanTrainer(every4).run(revived[0], revived[1], data, killedRun, true);
        Model[] reference = fresh(new GanTrainer(every4), TINY);
        new GanTrainer(every4).run(reference[0], reference[1], data, dir.resolve("reference"), false);
        assertSameWeights(reference[0], revived[0]);
    }

    @Test
    void nonFiniteLossStopsWithTheStepAndKeepsTheLastCheckpoint(@TempDir Path dir) throws Exception {
        TrainingConfig cfg = new TrainingConfig(3, 8, 2e-3, 2e-3, 0.5, 0.999, GanLoss.HINGE, 1, 2, 0);
        GanTrainer trainer = new GanTrainer(cfg).addGeneratorTerm(new GeneratorLossTerm() {
            @Override
            public String name() {
                return "poison";
            }

            @Override
            public double apply(Network generator, Map<String, Tensor> inputs, Tensor output, float[] outputGrad,
                                Map<String, float[]> extraGrads, long step) {
                return step == 4 ? Double.NaN : 0.0;
            }
        });
        Model[] gd = fresh(trainer, TINY);
        assertThatThrownBy(() -> trainer.run(gd[0], gd[1], blobs(48, 3), dir, false))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("loss 'poison' is NaN at step 5")
                .hasMessageContaining("last good checkpoint");
        Checkpoint kept = Checkpoint.read(dir.resolve(GanTrainer.CHECKPOINT_FILE));
        assertThat(kept.step()).isEqualTo(4);
    }

    @Test
    void corruptCheckpointIsRejected(@TempDir Path dir) throws Exception {
        GanTrainer trainer = new GanTrainer(config(1).withMaxSteps(2));
        Model[] gd = fresh(trainer, TINY);
        trainer.run(gd[0], gd[1], blobs(48, 3), dir, false);
        Path ck = dir.resolve(GanTrainer.CHECKPOINT_FILE);
        byte[] bytes = Files.readAllBytes(ck);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(ck, bytes);
        assertThatThrownBy(() -> Checkpoint.read(ck)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("corrupt or truncated");
        Files.write(ck, java.util.Arrays.copyOf(bytes, 100));
        assertThatThrownBy(() -> Checkpoint.read(ck)).hasMessageContaining(ck.toString());
        Files.writeString(ck, "hello");
        assertThatThrownBy(() -> Checkpoint.read(ck)).hasMessageContaining("not a gancompress checkpoint");
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void aLongerRunDoesNotGrowTheHeap(@TempDir Path dir) {
        GanTrainer trainer = new GanTrainer(config(50).withMaxSteps(150));
        Model[] gd = fresh(trainer, TINY_CONDITIONAL);
        long[] used = new long[2];
        trainer.addHook(new TrainingHook() {
            @Override
            public void onStep(StepResult r) {
                if (r.step() == 30) {
                    used[0] = usedHeapAfterGc();
                } else if (r.step() == 150) {
                    used[1] = usedHeapAfterGc();
                }
            }
        });
        trainer.run(gd[0], gd[1], blobs(48, 3), dir, false);
        // buffers are allocated at the first step and reused: 120 more steps retain (almost) nothing
        assertThat(used[1] - used[0]).isLessThan(2L << 20);
    }

    @Test
    void lossTermsSeeFreshExtraGradientsEveryStepAndAreToldAfterEachStep(@TempDir Path dir) {
        GanTrainer trainer = new GanTrainer(config(10).withMaxSteps(5));
        Model[] gd = fresh(trainer, TINY);
        List<Long> afterSteps = new ArrayList<>();
        List<Integer> extraGradsSeen = new ArrayList<>();
        trainer.addGeneratorTerm(new GeneratorLossTerm() {
            @Override
            public String name() {
                return "probe";
            }

            @Override
            public double apply(Network generator, Map<String, Tensor> inputs, Tensor output, float[] outputGrad,
                                Map<String, float[]> extraGrads, long step) {
                // a term must never see a previous step's injected gradients: they would pile up
                extraGradsSeen.add(extraGrads.size());
                String first = generator.model().nodes().get(0).name();
                extraGrads.put(first, new float[generator.value(first).data().length]);
                return 0;
            }

            @Override
            public void afterStep(long step) {
                afterSteps.add(step);
            }
        });
        trainer.run(gd[0], gd[1], blobs(64, 3), dir, false);
        assertThat(extraGradsSeen).containsExactly(0, 0, 0, 0, 0);
        assertThat(afterSteps).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void resumingWithOtherSettingsIsRefusedByName(@TempDir Path dir) {
        GanTrainer first = new GanTrainer(config(10).withMaxSteps(3));
        Model[] gd = fresh(first, TINY);
        first.run(gd[0], gd[1], blobs(64, 3), dir, false);
        TrainingConfig otherLr = new TrainingConfig(10, 8, 1e-3, 2e-3, 0.5, 0.999, GanLoss.NON_SATURATING, 42, 0, 0);
        assertThatThrownBy(() -> new GanTrainer(otherLr).run(gd[0], gd[1], blobs(64, 3), dir, true))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("different settings")
                .hasMessageContaining(GanTrainer.CHECKPOINT_FILE);
    }
}
