package dev.gancompress.compress.distill;

/**
 * What the student's feature distribution is matched to: the teacher's images for the same latent codes and
 * labels (TEACHER, distillation), or a batch of training images (REAL, the data distribution itself, ignoring
 * labels).
 */
public enum MmdTarget {
    TEACHER, REAL
}
