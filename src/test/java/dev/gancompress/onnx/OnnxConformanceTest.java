package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ONNX's backend node tests (Debian package libonnx-testdata, which .ci/run installs): every case is either
 * answered within 1e-4 or refused with a message; none is answered wrongly. Prints the counts per op.
 */
class OnnxConformanceTest {
    @Test
    void noCaseIsAnsweredWrongly() {
        assumeTrue(Files.isDirectory(ConformanceSuite.DEBIAN_NODE_TESTS),
                "libonnx-testdata is not installed (apt-get install libonnx-testdata)");
        List<ConformanceSuite.Outcome> outcomes = ConformanceSuite.run(ConformanceSuite.DEBIAN_NODE_TESTS);
        Map<String, int[]> counts = ConformanceSuite.countsByOp(outcomes);
        StringBuilder table = new StringBuilder("op | pass | refused\n");
        counts.forEach((op, c) -> {
            if (c[0] > 0 || c[2] > 0) {
                table.append(op).append(" | ").append(c[0]).append(" | ").append(c[1]).append('\n');
            }
        });
        long pass = outcomes.stream().filter(o -> o.status() == ConformanceSuite.Status.PASS).count();
        long refused = outcomes.stream().filter(o -> o.status() == ConformanceSuite.Status.REFUSED).count();
        StringBuilder all = new StringBuilder();
        outcomes.forEach(o -> all.append(o.status()).append(' ').append(o.name()).append(" [").append(o.ops())
                .append("] ").append(o.detail()).append('\n'));
        try {
            Files.writeString(java.nio.file.Path.of("target", "onnx-conformance.txt"), all); // per case, for CI logs
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.out.println(table + "cases: " + outcomes.size() + ", pass " + pass + ", refused " + refused);
        assertThat(outcomes.stream().filter(o -> o.status() == ConformanceSuite.Status.WRONG).toList()).isEmpty();
        assertThat(pass).isGreaterThanOrEqualTo(70);
        // Every refusal says why.
        assertThat(outcomes).allMatch(o -> o.status() != ConformanceSuite.Status.REFUSED || !o.detail().isBlank());
    }
}
