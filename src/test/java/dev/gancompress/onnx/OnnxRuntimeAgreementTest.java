package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gancompress.model.Model;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime running the exported file, the Java engine ({@link Network}, evaluation mode) and an independent
 * double-precision forward pass ({@link ReferenceForward}) agree within 1e-4 for every layer type.
 */
class OnnxRuntimeAgreementTest {
    private static final double TOLERANCE = 1e-4;

    @Test
    void ortMatchesReferenceForEveryLayerType() {
        for (Model m : List.of(OnnxTestModels.everyLayer(21), OnnxTestModels.conditional(22),
                OnnxTestModels.imageInput(23))) {
            Map<String, Tensor> inputs = OnnxTestModels.inputs(m, 3, 31);
            Tensor expected = ReferenceForward.forward(m, inputs);
            try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(OnnxExporter.toBytes(m, Map.of()), 1)) {
                Tensor viaOrt = ort.run(inputs);
                Tensor viaEngine = new Network(m).forward(inputs, false);
                assertThat(viaOrt.maxAbsDifference(expected)).as("ORT vs reference, " + m.name()).isLessThan(TOLERANCE);
                assertThat(viaEngine.maxAbsDifference(expected)).as("engine vs reference, " + m.name())
                        .isLessThan(TOLERANCE);
                assertThat(viaOrt.maxAbsDifference(viaEngine)).as("ORT vs engine, " + m.name()).isLessThan(TOLERANCE);
            }
        }
    }

    /** Each layer alone, so that a mismatch names the operator rather than a whole model. */
    @Test
    void ortMatchesReferenceLayerByLayer() {
        for (Model full : List.of(OnnxTestModels.everyLayer(41), OnnxTestModels.conditional(42))) {
            for (var node : full.nodes()) {
                Model prefix = prefixEndingAt(full, node.name());
                Map<String, Tensor> inputs = OnnxTestModels.inputs(prefix, 2, 43);
                try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(OnnxExporter.toBytes(prefix, Map.of()), 1)) {
                    String what = full.name() + " up to " + node.name() + " (" + node.layer().opName() + ")";
                    Tensor viaOrt = ort.run(inputs);
                    Tensor viaEngine = new Network(prefix).forward(inputs, false);
                    Tensor reference = ReferenceForward.forward(prefix, inputs);
                    assertThat(viaOrt.maxAbsDifference(reference)).as("ORT vs reference, " + what)
                            .isLessThan(TOLERANCE);
                    assertThat(viaOrt.maxAbsDifference(viaEngine)).as("ORT vs engine, " + what)
                            .isLessThan(TOLERANCE);
                }
            }
        }
    }

    private static Model prefixEndingAt(Model m, String last) {
        int end = 0;
        while (!m.nodes().get(end).name().equals(last)) {
            end++;
        }
        return new Model(m.name(), m.inputs(), m.nodes().subList(0, end + 1), last, m.metadata());
    }
}
