package dev.gancompress.compress;

import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Model;

import java.nio.file.Path;

/**
 * What a technique may read: the teacher generator (the model before any compression of the recipe), its
 * discriminator (may be null), the training data (may be null for data-free passes), the evaluator (may be
 * null), the recipe's seed and a working directory for checkpoints.
 */
public record CompressionContext(Model teacher, Model teacherDiscriminator, ImageDataset data, Model evaluator,
                                 long seed, Path workDir) {
}
