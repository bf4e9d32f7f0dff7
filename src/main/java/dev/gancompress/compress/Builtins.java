package dev.gancompress.compress;

/**
 * Registers the techniques that ship with gancompress, once. Each family adds its line here.
 */
final class Builtins {
    private static boolean done;

    private Builtins() {
    }

    static synchronized void ensureRegistered() {
        if (done) {
            return;
        }
        done = true;
        CompressionRegistry.register(dev.gancompress.compress.prune.MagnitudePruning.NAME,
                dev.gancompress.compress.prune.MagnitudePruning.Config.class,
                dev.gancompress.compress.prune.MagnitudePruning::new);
        CompressionRegistry.register(dev.gancompress.compress.prune.ChannelPruning.NAME,
                dev.gancompress.compress.prune.ChannelPruning.Config.class,
                dev.gancompress.compress.prune.ChannelPruning::new);
        CompressionRegistry.register(dev.gancompress.compress.prune.NetworkSlimming.NAME,
                dev.gancompress.compress.prune.NetworkSlimming.Config.class,
                dev.gancompress.compress.prune.NetworkSlimming::new);
        CompressionRegistry.register(LearningRateScheduling.NAME, dev.gancompress.train.LearningRateSchedule.class, LearningRateScheduling::new);
        CompressionRegistry.register(UncompressedControl.NAME, UncompressedControl.Config.class,
                UncompressedControl::new);
        CompressionRegistry.register(dev.gancompress.compress.distill.Distillation.NAME,
                dev.gancompress.compress.distill.DistillationConfig.class,
                dev.gancompress.compress.distill.Distillation::new);
        CompressionRegistry.register(dev.gancompress.compress.lowrank.LowRankFactorization.NAME,
                dev.gancompress.compress.lowrank.LowRankConfig.class,
                dev.gancompress.compress.lowrank.LowRankFactorization::new);
        CompressionRegistry.register(dev.gancompress.compress.quantize.PostTrainingQuantization.NAME,
                dev.gancompress.compress.quantize.QuantizationConfig.class,
                dev.gancompress.compress.quantize.PostTrainingQuantization::new);
        CompressionRegistry.register(dev.gancompress.compress.quantize.BatchNormFolding.NAME,
                dev.gancompress.compress.quantize.BatchNormFolding.Config.class,
                dev.gancompress.compress.quantize.BatchNormFolding::new);
        CompressionRegistry.register(dev.gancompress.compress.quantize.QuantizationAwareTraining.NAME,
                dev.gancompress.compress.quantize.QuantizationAwareTraining.Config.class,
                dev.gancompress.compress.quantize.QuantizationAwareTraining::new);
        CompressionRegistry.register(dev.gancompress.compress.quantize.MixedPrecision.NAME,
                dev.gancompress.compress.quantize.MixedPrecision.Config.class,
                dev.gancompress.compress.quantize.MixedPrecision::new);
        CompressionRegistry.register(dev.gancompress.compress.encode.WeightSharing.NAME,
                dev.gancompress.compress.encode.WeightSharingConfig.class,
                dev.gancompress.compress.encode.WeightSharing::new);
        CompressionRegistry.register(dev.gancompress.compress.quantize.ActivationCalibration.NAME,
                dev.gancompress.compress.quantize.ActivationQuantizationConfig.class,
                dev.gancompress.compress.quantize.ActivationCalibration::new);
    }
}
