package dev.gancompress.compress.distill;

/** How a student's weights start. */
public enum StudentInit {
    /** DCGAN initialisation from the recipe's seed (Radford et al. 2016): distillation from scratch. */
    RANDOM,
    /**
     * The teacher's highest-L1 channels of every scaled layer with their weight slices and BatchNorm statistics
     * (Li et al. 2017 filter ranking): "prune, then distill". Only for students derived by a width multiplier.
     */
    TEACHER_SELECTION,
    /** The weights stored in a student file, unchanged (e.g. a student pretrained elsewhere). */
    AS_GIVEN
}
