package dev.gancompress.compress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.gancompress.GanCompressException;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Techniques by name, each with its configuration record type, so that recipes and the CLI create them from
 * JSON. The techniques come from the {@link CompressionProvider}s on the class path ({@link ServiceLoader}), one per
 * family; unknown or duplicate names fail loudly, listing the known ones (NNCF's registry).
 */
public final class CompressionRegistry {
    /** Refuses 2.5 for an integer field instead of truncating it to 2 (Jackson's default). */
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    private static final Map<String, Technique<?>> ENTRIES = new LinkedHashMap<>();
    private static final Map<String, String> FAMILY = new LinkedHashMap<>();
    private static final List<ShortForm> SHORT_FORMS = new ArrayList<>();
    private static boolean loaded;

    private CompressionRegistry() {
    }

    /** Registers one technique by hand (a plugin that is not on the class path as a service). */
    public static synchronized void register(String family, Technique<?> technique) {
        load();
        add(family, technique);
    }

    private static void add(String family, Technique<?> technique) {
        if (ENTRIES.containsKey(technique.name())) {
            throw new IllegalStateException("compression '" + technique.name() + "' of family " + family
                    + " is already registered by family " + FAMILY.get(technique.name()) + "; registered: "
                    + String.join(", ", ENTRIES.keySet()));
        }
        ENTRIES.put(technique.name(), technique);
        FAMILY.put(technique.name(), family);
    }

    /** Loads every provider once; the order is the class path's, the names sorted where they are listed. */
    private static void load() {
        if (loaded) {
            return;
        }
        loaded = true;
        for (CompressionProvider p : ServiceLoader.load(CompressionProvider.class,
                CompressionRegistry.class.getClassLoader())) {
            for (Technique<?> t : p.techniques()) {
                add(p.family(), t);
            }
            SHORT_FORMS.addAll(p.shortForms());
        }
        for (ShortForm f : SHORT_FORMS) {
            if (!ENTRIES.containsKey(f.technique())) {
                throw new IllegalStateException("short form " + f.usage() + " names unknown compression '"
                        + f.technique() + "'; registered: " + String.join(", ", ENTRIES.keySet()));
            }
        }
    }

    /** The registered names, sorted. */
    public static synchronized Set<String> names() {
        load();
        return Collections.unmodifiableSet(new TreeSet<>(ENTRIES.keySet()));
    }

    /** Family by technique name, in registration order. */
    public static synchronized Map<String, String> families() {
        load();
        return Collections.unmodifiableMap(new LinkedHashMap<>(FAMILY));
    }

    /** Every provider's abbreviations for the short recipe form. */
    public static synchronized List<ShortForm> shortForms() {
        load();
        return List.copyOf(SHORT_FORMS);
    }

    private static Technique<?> entry(String name) {
        load();
        Technique<?> e = ENTRIES.get(name);
        if (e == null) {
            throw new GanCompressException("unknown compression '" + name + "'; known: "
                    + String.join(", ", new TreeSet<>(ENTRIES.keySet())));
        }
        return e;
    }

    /** Creates a technique from a JSON object of its configuration record's fields (missing: defaults of JSON). */
    public static synchronized Compression create(String name, JsonNode config) {
        Technique<?> e = entry(name);
        // Checked before Jackson runs: it builds a record before reporting unknown fields, so a misspelt required
        // field ("lamda") would otherwise surface as the record's complaint about the missing one.
        List<String> accepted = acceptedFields(e.configType(), null);
        if (config != null) {
            for (var fields = config.fieldNames(); fields.hasNext(); ) {
                String field = fields.next();
                if (!accepted.contains(field)) {
                    throw unknownField(name, field, e.configType(), accepted);
                }
            }
        }
        Object cfg;
        try {
            cfg = JSON.treeToValue(config == null ? JSON.createObjectNode() : config, e.configType());
        } catch (UnrecognizedPropertyException ex) {
            throw unknownField(name, fieldPath(ex), ex.getReferringClass(),
                    acceptedFields(ex.getReferringClass(), ex.getKnownPropertyIds()));
        } catch (JsonMappingException ex) {
            GanCompressException ours = rootGanCompressException(ex);
            if (ours != null) {
                throw new GanCompressException("compression '" + name + "': invalid configuration: "
                        + ours.getMessage(), ours);
            }
            // Jackson's own message names Java types and the source position over several lines: say instead which
            // field it was about and what JSON it takes.
            String path = fieldPath(ex);
            String field = path.isEmpty() ? "the configuration" : "field '" + path + "'";
            if (ex instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
                String got = ex instanceof InvalidFormatException invalid && invalid.getValue() != null
                        ? ", got " + JSON.valueToTree(invalid.getValue()) : "";
                throw new GanCompressException("compression '" + name + "': " + field + " must be "
                        + expectedJson(mismatch.getTargetType()) + got, ex);
            }
            throw new GanCompressException("compression '" + name + "': invalid " + field + ": "
                    + ex.getOriginalMessage().lines().findFirst().orElse(""), ex);
        } catch (JsonProcessingException | IllegalArgumentException ex) {
            Throwable root = ex;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new GanCompressException("compression '" + name + "': invalid configuration: "
                    + root.getMessage());
        }
        return e.create(cfg);
    }

    /**
     * The JSON field names a configuration type accepts: a record's components, in declaration order (the record is
     * the schema, so this list cannot drift from it); Jackson's known properties for any other type.
     */
    private static List<String> acceptedFields(Class<?> type, Collection<Object> known) {
        if (type != null && type.isRecord()) {
            return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
        }
        return known == null ? List.of() : known.stream().map(String::valueOf).sorted().toList();
    }

    private static GanCompressException unknownField(String name, String field, Class<?> type, List<String> accepted) {
        return new GanCompressException("compression '" + name + "': unknown field '" + field + "' in "
                + displayName(type) + (accepted.isEmpty() ? ", which takes no fields"
                : "; accepted fields: " + String.join(", ", accepted)));
    }

    /** What JSON a value of {@code type} is written as, in a user's words. */
    private static String expectedJson(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + Arrays.toString(type.getEnumConstants());
        }
        if (type.isRecord()) {
            return "a JSON object with fields " + String.join(", ", acceptedFields(type, null));
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a JSON object";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a JSON array";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        return "a " + type.getSimpleName();
    }

    /** "MagnitudePruning.Config", not the binary name with '$' and package. */
    private static String displayName(Class<?> type) {
        if (type == null) {
            return "the configuration";
        }
        String simple = type.getSimpleName();
        return type.getEnclosingClass() == null ? simple : displayName(type.getEnclosingClass()) + "." + simple;
    }

    /** The JSON path of the field a mapping error is about: "schedule", "layerRatios.conv1", "featureLayers[2]". */
    private static String fieldPath(JsonMappingException ex) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : ex.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static GanCompressException rootGanCompressException(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof GanCompressException g) {
                return g;
            }
        }
        return null;
    }

    public static synchronized Compression create(String name, Record config) {
        return entry(name).create(config);
    }

    public static Class<? extends Record> configType(String name) {
        return entry(name).configType();
    }
}
