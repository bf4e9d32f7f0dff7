package dev.gancompress.compress.distill;

import dev.gancompress.compress.CompressionProvider;
import dev.gancompress.compress.ShortForm;
import dev.gancompress.compress.Technique;

import java.util.List;
import java.util.Map;

/** The distillation family: a narrower student trained towards the teacher's outputs and features. */
public final class DistillTechniques implements CompressionProvider {
    @Override
    public String family() {
        return "distill";
    }

    @Override
    public List<Technique<?>> techniques() {
        return List.of(Technique.of(Distillation.NAME, DistillationConfig.class, Distillation::new));
    }

    @Override
    public List<ShortForm> shortForms() {
        return List.of(new ShortForm("distill", "width", Distillation.NAME, "widthMultiplier",
                Map.of("init", StudentInit.TEACHER_SELECTION.name()),
                "student with this fraction of the channels, initialised from the teacher's strongest"));
    }
}
