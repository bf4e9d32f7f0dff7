package dev.gancompress.compress;

import dev.gancompress.model.Model;

/**
 * One lossy compression technique. {@link #apply} rewrites the model (removes channels, attaches masks, splits
 * layers, derives a student) and never trains; training under the technique's constraints is driven by the
 * {@link FineTuneController} it returns (NNCF's split between the compressed model and its controller).
 * Implementations are configured by an immutable, validated record and registered by name in
 * {@link CompressionRegistry}.
 */
public interface Compression {
    /** The registry name, e.g. "magnitude-pruning". */
    String name();

    /** The configuration record, as written to reports and provenance. */
    Record config();

    /** Rewrites a copy of the model; the input model is left untouched. */
    Model apply(Model model, CompressionContext context);

    /**
     * The loss terms and hooks that fine-tuning of {@code compressed} needs (sparsity schedules, mask
     * re-application, distillation losses). The default adds nothing: plain adversarial fine-tuning.
     */
    default FineTuneController controller(Model compressed, CompressionContext context) {
        return FineTuneController.NONE;
    }

    /**
     * The fine-tuning settings this technique wants, derived from the recipe's (e.g. distillation sets the
     * adversarial weight and freezes the discriminator). The default keeps them.
     */
    default FineTuning.Settings fineTuneSettings(FineTuning.Settings base) {
        return base;
    }
}
