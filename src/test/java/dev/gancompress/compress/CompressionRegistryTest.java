package dev.gancompress.compress;

import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompressionRegistryTest {
    @Test
    void everyFamilyContributesThroughItsServiceProvider() {
        assertThat(CompressionRegistry.families()).containsEntry("channel-pruning", "prune")
                .containsEntry("distillation", "distill").containsEntry("low-rank", "lowrank")
                .containsEntry("qat", "quantize").containsEntry("entropy-coding", "encode")
                .containsEntry("uncompressed-control", "control").containsEntry("lr-schedule", "control").hasSize(14);
        assertThat(java.util.List.copyOf(CompressionRegistry.names())).isSorted();
        for (ShortForm f : CompressionRegistry.shortForms()) {
            assertThat(CompressionRegistry.names()).as(f.usage()).contains(f.technique());
        }
    }

    public record NoConfig() {
    }

    @Test
    void unknownAndDuplicateNamesThrowListingTheKnownOnes() {
        assertThatThrownBy(() -> CompressionRegistry.create("chanel-pruning", (Record) null))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("unknown compression 'chanel-pruning'; known: ")
                .hasMessageContaining("channel-pruning, distillation, entropy-coding");
        Technique<NoConfig> dup = Technique.of("qat", NoConfig.class, c -> null);
        assertThatThrownBy(() -> CompressionRegistry.register("test", dup)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("compression 'qat' of family test is already registered by family quantize")
                .hasMessageContaining("registered: ");
    }
}
