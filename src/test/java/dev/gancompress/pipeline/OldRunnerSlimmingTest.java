package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.compress.prune.ChannelCriterion;
import dev.gancompress.compress.prune.ChannelPruning;
import dev.gancompress.compress.prune.NetworkSlimming;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.nn.Initializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Temporary: the slimming acceptance test written against the old (apply all, fine-tune once) runner API. */
class OldRunnerSlimmingTest {
    @Test
    void slimmingThenBnPruning(@TempDir Path dir) {
        DcganSpec spec = new DcganSpec(8, 1, 28, 8, 4, 0, 0);
        Model teacher = Dcgan.generator(spec);
        Model d = Dcgan.discriminator(spec);
        Initializer.dcgan(teacher, 1);
        Initializer.dcgan(d, 2);
        for (Node n : teacher.nodes()) {
            if (n.layer() instanceof BatchNorm2d bn) {
                float[] g = bn.gamma().data();
                for (int c = 0; c < g.length; c++) {
                    g[c] = (c + 1f) / g.length;
                }
            }
        }
        ObjectMapper json = new ObjectMapper();
        Recipe recipe = new Recipe("slim-prune", List.of(
                new RecipeStep(NetworkSlimming.NAME, json.valueToTree(new NetworkSlimming.Config(1300, 1e-4))),
                new RecipeStep(ChannelPruning.NAME, json.valueToTree(ChannelPruning.Config.uniform(0.5, ChannelCriterion.BN_SCALE)))), 4);
        FineTuning.Settings tune = new FineTuning.Settings(4, 8, 1e-9, 1e-9,
                dev.gancompress.train.GanLoss.NON_SATURATING, 1f, false, 1, 0);
        RecipeRunner runner = new RecipeRunner(teacher, d, dev.gancompress.TestImages.noise(64), null, tune, dir,
                Map.of(), n -> List.of(), false);
        Model out = runner.run(recipe).model();
        for (Node n : out.nodes()) {
            if (n.layer() instanceof BatchNorm2d bn) {
                float[] g = bn.gamma().data();
                int teacherChannels = g.length * 2;
                for (int k = 0; k < g.length; k++) {
                    int c = teacherChannels / 2 + k;
                    assertThat(g[k]).as(n.name() + " channel " + c)
                            .isCloseTo((c + 1f) / teacherChannels - 0.52f, within(1e-4f));
                }
            }
        }
    }
}
