package dev.gancompress.runtime;

import dev.gancompress.AtomicFiles;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.onnx.OnnxExporter;

import java.nio.file.Path;
import java.util.Map;

/**
 * The one way commands write a model: export to ONNX bytes, check them in ONNX Runtime against the engine
 * ({@link OnnxVerification}), and only then write them atomically. A failed check leaves nothing at the target
 * (not even a temporary file), so a user never finds a model that computes something other than what was
 * measured.
 *
 * <p>Fault injection for tests: with the system property {@value #FAULT_PROPERTY}=true, one weight of the
 * exported copy is changed after the engine's copy is fixed, which is how the tests drive a whole command into
 * the disagreement path. It has no other use.
 */
public final class VerifiedModelWriter {
    public static final String FAULT_PROPERTY = "gancompress.test.corrupt-export";

    private VerifiedModelWriter() {
    }

    /** Writes {@code model} to {@code file}; returns the check's result, or null when {@code verify} is false. */
    public static OnnxVerification.Result write(Model model, Path file, Map<String, String> provenance,
                                                boolean verify) {
        Model exported = Boolean.getBoolean(FAULT_PROPERTY) ? corrupted(model) : model;
        byte[] bytes = OnnxExporter.toBytes(exported, provenance);
        OnnxVerification.Result result = verify ? OnnxVerification.check(model, bytes, file.toString()) : null;
        AtomicFiles.writeBytes(file, bytes);
        return result;
    }

    private static Model corrupted(Model model) {
        Model copy = model.copy();
        for (Node n : copy.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                float[] w = slot.weights().data();
                if (w.length > 0) {
                    w[0] += 1.0f;
                    return copy;
                }
            }
        }
        return copy;
    }
}
