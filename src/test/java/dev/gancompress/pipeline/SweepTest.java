package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.onnx.OnnxExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SweepTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tiny teacher pair, evaluator and data; sweeps of it fine-tune 1 step and evaluate 64 samples. */
    static Sweep sweep(Path dir, ByteArrayOutputStream log) throws Exception {
        DcganSpec spec = new DcganSpec(8, 1, 28, 8, 4, 0, 0);
        Model teacher = Dcgan.generator(spec);
        Model discriminator = Dcgan.discriminator(spec);
        Initializer.dcgan(teacher, 1);
        Initializer.dcgan(discriminator, 2);
        Path teacherFile = dir.resolve("teacher.onnx");
        if (!Files.exists(teacherFile)) {
            OnnxExporter.write(teacher, teacherFile, Map.of());
        }
        Model evalModel = DomainEvaluator.architecture(1, 28, 28, 2);
        DomainEvaluator.initialise(evalModel, 5);
        ImageDataset data = dev.gancompress.TestImages.noise(64);
        QualityEvaluation.Settings eval = new QualityEvaluation.Settings(64, 1, 64, 32, 3, 2, 16, dir.resolve("cache"),
                false, 20);
        FineTuning.Settings tune = new FineTuning.Settings(1, 8, 2e-4, 2e-4,
                dev.gancompress.train.GanLoss.NON_SATURATING, 1f, false, 1, 0);
        return new Sweep(teacher, teacherFile, discriminator, data, evalModel,
                () -> new QualityEvaluation(new DomainEvaluator(evalModel, DomainEvaluator.FEATURE_LAYER, "test", "0"),
                        data, eval), tune, dir.resolve("sweep"), Map.of("command", "test"), false,
                new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    static SweepSpace space(String sparsities) {
        return SweepSpaceTest.space("{\"recipe\": " + SweepSpaceTest.RECIPE + ", \"parameters\": [{\"stage\": 0, "
                + "\"field\": \"config.sparsity\", \"values\": [" + sparsities + "]}]}");
    }

    private static Map<String, FileTime> modelTimes(Path sweepDir, List<TrialRecord> trials) throws Exception {
        Map<String, FileTime> out = new HashMap<>();
        for (TrialRecord r : trials) {
            out.put(r.name(), Files.getLastModifiedTime(sweepDir.resolve(r.modelFile())));
        }
        return out;
    }

    @Test
    void aResumedSweepRunsOnlyTheTrialsNotYetRecorded(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Sweep.Settings settings = new Sweep.Settings(2, 4, 1);
        Path sweepDir = dir.resolve("sweep");
        Path trials = sweepDir.resolve(Sweep.TRIALS);

        Sweep.Result first = sweep(dir, log).run(space("0.3, 0.6"), settings);
        assertThat(first.ran()).isEqualTo(2);
        assertThat(first.reused()).isZero();
        assertThat(first.parallelism()).isEqualTo(2);
        assertThat(Files.readAllLines(trials)).hasSize(2);
        assertThat(first.trials()).allMatch(TrialRecord::ok);
        // pruning to 60 % zeros keeps fewer non-zero weights than 30 %: the parameter reached the technique
        Model m3 = dev.gancompress.onnx.OnnxImporter.read(sweepDir.resolve(first.trials().get(0).modelFile()));
        Model m6 = dev.gancompress.onnx.OnnxImporter.read(sweepDir.resolve(first.trials().get(1).modelFile()));
        assertThat(nonZero(m6)).isLessThan(nonZero(m3));
        assertThat(first.trials().get(0).values().get("0.config.sparsity").asDouble()).isEqualTo(0.3);
        Map<String, FileTime> times = modelTimes(sweepDir, first.trials());

        // the same sweep again: nothing runs, nothing is appended, no model is rewritten
        Sweep.Result again = sweep(dir, log).run(space("0.3, 0.6"), settings);
        assertThat(again.ran()).isZero();
        assertThat(again.reused()).isEqualTo(2);
        assertThat(Files.readAllLines(trials)).hasSize(2);
        assertThat(modelTimes(sweepDir, again.trials())).isEqualTo(times);
        assertThat(again.trials()).extracting(TrialRecord::id)
                .containsExactlyElementsOf(first.trials().stream().map(TrialRecord::id).toList());

        // a wider space: only the new value runs
        Sweep.Result wider = sweep(dir, log).run(space("0.3, 0.6, 0.8"), settings);
        assertThat(wider.ran()).isEqualTo(1);
        assertThat(wider.reused()).isEqualTo(2);
        assertThat(Files.readAllLines(trials)).hasSize(3);
        assertThat(wider.trials().get(2).values().get("0.config.sparsity").asDouble()).isEqualTo(0.8);

        // killed while the last record was written: its line is torn, so that trial (and only it) runs again
        byte[] bytes = Files.readAllBytes(trials);
        Files.write(trials, java.util.Arrays.copyOf(bytes, bytes.length - 40));
        Sweep.Result torn = sweep(dir, log).run(space("0.3, 0.6, 0.8"), settings);
        assertThat(torn.ran()).isEqualTo(1);
        assertThat(new TrialLog(trials).read().records()).hasSize(3);
        assertThat(new TrialLog(trials).read().tornBytes()).isZero();
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("ends in a torn line");

        // the frontier and the report of all trials
        assertThat(sweepDir.resolve(Sweep.FRONTIER)).exists();
        var frontier = JSON.readTree(sweepDir.resolve(Sweep.FRONTIER).toFile());
        assertThat(frontier.get("objectives").toString()).contains("ms_per_image");
        assertThat(frontier.get("frontier")).isNotEmpty();
        String html = Files.readString(torn.report());
        for (TrialRecord r : torn.trials()) {
            assertThat(html).contains(r.name());
        }
        assertThat(html).contains("0.config.sparsity=0.8");
        // prune + quantize are two families: each trial is a combined recipe, and the report says there is no
        // single-family recipe to compare with
        assertThat(html).contains("this report has 3 combined and 0 single-family recipes");
        assertThat(sweepDir.resolve("report.md")).exists();
        // the sweep's own page, rendered as a reader's browser would
        if (dev.gancompress.report.HeadlessChromium.binary() != null) {
            dev.gancompress.report.HtmlReportTest.assertRendersCleanly(torn.report(), dir);
        }
    }

    private static long nonZero(Model m) {
        long n = 0;
        for (var slot : m.weightSlots().values()) {
            if (slot.trainable()) {
                n += slot.weights().nonZeroCount();
            }
        }
        return n;
    }

    @Test
    void parallelismIsBoundedByCoresAndMemory() {
        long gb = 1L << 30;
        assertThat(Sweep.parallelism(0, 2, 8 * gb, gb)).isEqualTo(2);
        assertThat(Sweep.parallelism(0, 16, 8 * gb, gb)).isEqualTo(6);      // 3/4 of 8 GB at 1 GB each
        assertThat(Sweep.parallelism(4, 2, 8 * gb, gb)).isEqualTo(4);       // asked for more than the cores: allowed
        assertThat(Sweep.parallelism(4, 16, 2 * gb, gb)).isEqualTo(1);      // memory wins
        assertThat(Sweep.parallelism(0, 4, gb, 4 * gb)).isEqualTo(1);       // never 0
    }
}
