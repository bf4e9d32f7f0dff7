package dev.gancompress.compress;

import java.util.List;
import java.util.Map;

/**
 * Techniques that compress nothing: the control of every comparison (the teacher fine-tuned like the students) and
 * the fine-tuning learning-rate schedule, a stage setting rather than a compression family.
 */
public final class ControlTechniques implements CompressionProvider {
    @Override
    public String family() {
        return "control";
    }

    @Override
    public List<Technique<?>> techniques() {
        return List.of(Technique.of(UncompressedControl.NAME, UncompressedControl.Config.class,
                        UncompressedControl::new),
                Technique.of(LearningRateScheduling.NAME, dev.gancompress.train.LearningRateSchedule.class,
                        LearningRateScheduling::new));
    }

    @Override
    public List<ShortForm> shortForms() {
        return List.of(new ShortForm("control", "teacher", UncompressedControl.NAME, null, Map.of(),
                "the teacher itself, fine-tuned like a student"));
    }
}
