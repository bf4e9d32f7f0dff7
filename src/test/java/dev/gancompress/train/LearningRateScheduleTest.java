package dev.gancompress.train;

import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LearningRateScheduleTest {
    @Test
    void constantLinearAndCosineValues() {
        LearningRateSchedule constant = LearningRateSchedule.CONSTANT;
        LearningRateSchedule linear = LearningRateSchedule.of(LearningRateSchedule.Kind.LINEAR);
        LearningRateSchedule cosine = LearningRateSchedule.of(LearningRateSchedule.Kind.COSINE);
        for (long step : new long[] {0, 37, 99}) {
            assertThat(constant.scale(step, 100)).isEqualTo(1.0);
        }
        assertThat(linear.scale(0, 100)).isEqualTo(1.0);
        assertThat(linear.scale(50, 100)).isCloseTo(0.5, within(1e-12));
        assertThat(linear.scale(99, 100)).as("the last update still moves").isCloseTo(0.01, within(1e-12));
        assertThat(linear.scale(100, 100)).isEqualTo(0.0);
        assertThat(cosine.scale(0, 100)).isEqualTo(1.0);
        assertThat(cosine.scale(50, 100)).isCloseTo(0.5, within(1e-12));
        assertThat(cosine.scale(25, 100)).isCloseTo(0.5 * (1 + Math.cos(Math.PI / 4)), within(1e-12));
        assertThat(cosine.scale(100, 100)).isCloseTo(0.0, within(1e-12));
    }

    @Test
    void warmUpRisesLinearlyThenTheDecaySpansTheRest() {
        LearningRateSchedule s = new LearningRateSchedule(LearningRateSchedule.Kind.LINEAR, 9L);
        assertThat(s.scale(0, 109)).isCloseTo(0.1, within(1e-12));
        assertThat(s.scale(4, 109)).isCloseTo(0.5, within(1e-12));
        assertThat(s.scale(9, 109)).isEqualTo(1.0);
        assertThat(s.scale(59, 109)).isCloseTo(0.5, within(1e-12));
        assertThat(new LearningRateSchedule(null, null)).isEqualTo(LearningRateSchedule.CONSTANT);
        assertThatThrownBy(() -> new LearningRateSchedule(LearningRateSchedule.Kind.LINEAR, -1L))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("warmupSteps");
    }

    @Test
    void theHookTakesItsHorizonFromTheRunOrAFixedOne() {
        LearningRateScheduleHook own = new LearningRateScheduleHook(LearningRateSchedule.of(LearningRateSchedule.Kind.LINEAR));
        own.onStart(0, 40);
        assertThat(own.learningRateScale(10)).isCloseTo(0.75, within(1e-12));
        // a resumed run announces its first step and the same total: the schedule continues, it does not restart
        own.onStart(20, 40);
        assertThat(own.learningRateScale(30)).isCloseTo(0.25, within(1e-12));
        LearningRateScheduleHook fixed = new LearningRateScheduleHook(
                LearningRateSchedule.of(LearningRateSchedule.Kind.LINEAR), 100);
        fixed.onStart(0, 40);
        assertThat(fixed.learningRateScale(10)).isCloseTo(0.9, within(1e-12));
    }

    @Test
    void aRecipeStepSetsTheFineTuneSchedule() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var technique = dev.gancompress.compress.CompressionRegistry.create("lr-schedule",
                json.readTree("{\"kind\": \"COSINE\", \"warmupSteps\": 5}"));
        var settings = technique.fineTuneSettings(dev.gancompress.compress.FineTuning.Settings.defaults(100, 1));
        assertThat(settings.schedule()).isEqualTo(new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 5L));
        assertThat(settings.steps()).isEqualTo(100);
        assertThatThrownBy(() -> dev.gancompress.compress.CompressionRegistry.create("lr-schedule",
                json.readTree("{\"kind\": \"STEP\"}")))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("CONSTANT, LINEAR, COSINE");
    }
}
