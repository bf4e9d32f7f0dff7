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
    /**
     * Where a technique may stand in a staged recipe. Stages run in this order (each stage's phase at least that of
     * every stage before it): a rewrite (pruning surgery, a distillation student, a factorisation, BN folding) builds
     * new float tensors and would silently drop a quantised or shared storage, so rewrites come first; quantisation
     * sets an integer grid that fine-tuning can still train through (straight-through); weight sharing fixes a
     * codebook per layer; entropy coding is lossless, describes the file and never trains, so it comes last.
     */
    enum Phase {
        REWRITE, QUANTIZE, SHARE, ENTROPY
    }

    /** The registry name, e.g. "magnitude-pruning". */
    String name();

    /** The configuration record, as written to reports and provenance. */
    Record config();

    /** Where this technique may stand in a staged recipe; see {@link Phase}. */
    default Phase phase() {
        return Phase.REWRITE;
    }

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
