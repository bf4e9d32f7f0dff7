package dev.gancompress.runtime;

import dev.gancompress.GanCompressException;

import java.lang.reflect.InvocationTargetException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The inference backends by name; an unknown name fails listing the known ones. "djl" is always known but its
 * implementation ({@code runtime/djl}) is compiled only in the Maven profile {@code djl}, so it is found by class
 * name: in a build without it, the backend reports why it is unavailable instead of the name being unknown.
 */
public final class InferenceBackends {
    static final String DJL_CLASS = "dev.gancompress.runtime.djl.PyTorchInference";

    private static final Map<String, Supplier<InferenceBackend>> REGISTRY = new LinkedHashMap<>();

    static {
        REGISTRY.put("engine", () -> new EngineInference(true));
        REGISTRY.put("engine-unfused", () -> new EngineInference(false));
        REGISTRY.put("ort", OnnxRuntimeInference::new);
        REGISTRY.put("djl", InferenceBackends::djl);
    }

    private InferenceBackends() {
    }

    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** The backend called {@code name}; a {@link GanCompressException} listing the known names otherwise. */
    public static InferenceBackend get(String name) {
        Supplier<InferenceBackend> factory = REGISTRY.get(name);
        if (factory == null) {
            throw new GanCompressException("unknown backend '" + name + "'; known: " + String.join(", ", names()));
        }
        return factory.get();
    }

    private static InferenceBackend djl() {
        try {
            return (InferenceBackend) Class.forName(DJL_CLASS).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return new Unavailable("djl", "PyTorch through DJL is not in this build (build with: mvn -B -P djl "
                    + "package)");
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
            return new Unavailable("djl", "PyTorch through DJL cannot start: " + cause);
        }
    }

    /** A known backend that cannot run here; {@link #open} fails with the reason. */
    record Unavailable(String name, String reason) implements InferenceBackend {
        @Override
        public String describe(int threads) {
            return name + " (unavailable: " + reason + ")";
        }

        @Override
        public String unavailableReason() {
            return reason;
        }

        @Override
        public InferenceSession open(dev.gancompress.model.Model model, int threads) {
            throw new GanCompressException("backend '" + name + "' cannot run here: " + reason);
        }
    }
}
