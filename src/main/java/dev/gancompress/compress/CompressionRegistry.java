package dev.gancompress.compress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.gancompress.GanCompressException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Techniques by name, each with its configuration record type, so that recipes and the CLI create them from
 * JSON. Unknown or duplicate names fail loudly, listing the known ones (NNCF's registry).
 */
public final class CompressionRegistry {
    private record Entry<C extends Record>(Class<C> configType, Function<C, Compression> factory) {
        Compression create(Object config) {
            return factory.apply(configType.cast(config));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Entry<?>> ENTRIES = new LinkedHashMap<>();

    private CompressionRegistry() {
    }

    public static synchronized <C extends Record> void register(String name, Class<C> configType,
                                                                Function<C, Compression> factory) {
        if (ENTRIES.containsKey(name)) {
            throw new IllegalStateException("compression '" + name + "' is already registered");
        }
        ENTRIES.put(name, new Entry<>(configType, factory));
    }

    public static synchronized java.util.Set<String> names() {
        Builtins.ensureRegistered();
        return java.util.Collections.unmodifiableSet(ENTRIES.keySet());
    }

    private static Entry<?> entry(String name) {
        Builtins.ensureRegistered();
        Entry<?> e = ENTRIES.get(name);
        if (e == null) {
            throw new GanCompressException("unknown compression '" + name + "'; known: "
                    + String.join(", ", ENTRIES.keySet()));
        }
        return e;
    }

    /** Creates a technique from a JSON object of its configuration record's fields (missing: defaults of JSON). */
    public static synchronized Compression create(String name, JsonNode config) {
        Entry<?> e = entry(name);
        Object cfg;
        try {
            cfg = JSON.treeToValue(config == null ? JSON.createObjectNode() : config, e.configType());
        } catch (UnrecognizedPropertyException ex) {
            throw new GanCompressException("compression '" + name + "': unknown field '" + ex.getPropertyName()
                    + "'; expected fields of " + e.configType().getSimpleName());
        } catch (Exception ex) {
            Throwable root = ex;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new GanCompressException("compression '" + name + "': invalid configuration: "
                    + root.getMessage());
        }
        return e.create(cfg);
    }

    public static synchronized Compression create(String name, Record config) {
        return entry(name).create(config);
    }

    public static Class<? extends Record> configType(String name) {
        return entry(name).configType();
    }
}
