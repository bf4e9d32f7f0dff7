package dev.gancompress.compress;

import java.util.List;
import java.util.Map;

/** The control of every comparison: the teacher fine-tuned like the students, compressed by nothing. */
public final class ControlTechniques implements CompressionProvider {
    @Override
    public String family() {
        return "control";
    }

    @Override
    public List<Technique<?>> techniques() {
        return List.of(Technique.of(UncompressedControl.NAME, UncompressedControl.Config.class,
                UncompressedControl::new));
    }

    @Override
    public List<ShortForm> shortForms() {
        return List.of(new ShortForm("control", "teacher", UncompressedControl.NAME, null, Map.of(),
                "the teacher itself, fine-tuned like a student"));
    }
}
