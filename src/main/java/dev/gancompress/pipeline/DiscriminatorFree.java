package dev.gancompress.pipeline;

import dev.gancompress.compress.FineTuneController;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.compress.distill.OutputDistillation;
import dev.gancompress.compress.distill.OutputLoss;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;

import java.util.List;

/**
 * The fine-tuning of a stage when the user brought a generator without its discriminator (an imported teacher
 * usually comes alone). The adversarial term has nothing to play against, so it is switched off, and the student
 * is trained toward the teacher's outputs instead: discriminator-free distillation, the way OMGD trains its
 * students from the teacher alone (Ren et al. 2021, "Online Multi-Granularity Distillation for GAN Compression").
 * A stage whose technique already trains with loss terms (distillation's kd_output/kd_feature, QAT's kd_output, a
 * stage's {@code kdOutputWeight}) keeps exactly those; a stage that trained on the adversarial term alone
 * (pruning, low-rank, PTQ, weight sharing) gets an L1 term to the teacher's images.
 */
final class DiscriminatorFree {
    /** The provenance key that records the fallback, with {@link #NOTE}'s wording and the stages it touched. */
    static final String PROVENANCE_KEY = "discriminator";
    /** The one line a run without a discriminator prints, and what its provenance says. */
    static final String NOTE = "no discriminator (--teacher-d): fine-tuning falls back to discriminator-free "
            + "distillation (adversarial term off; stages without a distillation term train on L1 to the "
            + "teacher's outputs)";
    /**
     * Weight of the L1 term to the teacher for a latent generator: the unit weight of GAN Compression's
     * reconstruction term. An image-to-image student already carries pix2pix's L1 to the targets at lambda = 100,
     * so its teacher term gets the same weight, or the teacher would hardly count.
     */
    static final float LATENT_WEIGHT = 1f;
    static final float PAIRED_WEIGHT = 100f;

    private DiscriminatorFree() {
    }

    /** {@code tune} without the adversarial term (weight 0, nothing to update). */
    static FineTuning.Settings settings(FineTuning.Settings tune) {
        return tune.withAdversarial(0f, true);
    }

    /** {@code controller}, plus an L1 term to {@code teacher}'s images when it has no loss term of its own. */
    static FineTuneController controller(FineTuneController controller, Model teacher, Model student) {
        if (!controller.lossTerms().isEmpty()) {
            return controller;
        }
        boolean paired = student.input(Input.Kind.LATENT) == null;
        return controller.plus(new FineTuneController(List.of(OutputDistillation.toTeacher(teacher, OutputLoss.L1,
                paired ? PAIRED_WEIGHT : LATENT_WEIGHT)), List.of()));
    }

    /** The provenance value: the note and the stages that ran without a discriminator. */
    static String provenance(List<String> stages) {
        return "none: discriminator-free distillation in stage(s) " + String.join(", ", stages)
                + " (adversarial term off; stages without a distillation term trained on L1 to the teacher's outputs)";
    }
}
