package dev.gancompress.onnx;

import dev.gancompress.model.Shape;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shape arithmetic of {@code x.view(x.size(0), -1)}-style chains, folded entry by entry: which entry a Gather
 * picks decides the static shape, and the symbolic batch must stay where the exporter put it.
 */
class ConstantFoldingTest {
    private final Map<String, OnnxTensor> constants = new HashMap<>();
    private final ConstantFolding folding = new ConstantFolding(constants, name -> name.equals("x")
            ? new Shape(new int[] {8, 4, 5}) : null, 17);

    private long[] fold(String op, List<String> inputs) {
        OnnxNode node = new OnnxNode("/" + op, op, "", inputs, List.of(op + "_out"), List.of());
        OnnxTensor t = folding.fold(node);
        constants.put(op + "_out", t);
        return t.longs();
    }

    @Test
    void gatherPicksTheIndexedDimensionOfTheShape() {
        long[] shape = fold("Shape", List.of("x"));
        assertThat(shape).containsExactly(ConstantFolding.BATCH, 8, 4, 5);
        for (long[] c : new long[][] {{0, ConstantFolding.BATCH}, {1, 8}, {2, 4}, {3, 5}, {-1, 5}, {-3, 8}}) {
            constants.put("idx", OnnxTensor.ofLongs("idx", new long[0], new long[] {c[0]}));
            assertThat(fold("Gather", List.of("Shape_out", "idx"))).as("index " + c[0]).containsExactly(c[1]);
        }
    }

    @Test
    void arithmeticOnKnownDimensionsFolds() {
        fold("Shape", List.of("x"));
        constants.put("idx", OnnxTensor.ofLongs("idx", new long[] {2}, new long[] {2, 3}));
        long[] hw = fold("Gather", List.of("Shape_out", "idx"));
        assertThat(hw).containsExactly(4, 5);
        constants.put("two", OnnxTensor.ofLongs("two", new long[0], new long[] {2}));
        assertThat(fold("Mul", List.of("Gather_out", "two"))).containsExactly(8, 10);
    }
}
