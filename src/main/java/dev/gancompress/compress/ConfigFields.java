package dev.gancompress.compress;

import dev.gancompress.GanCompressException;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Validation shared by the techniques' configuration records, so every config words its errors the same way:
 * "<technique> configuration: field '<name>' must be <expected>, got <value>".
 */
public final class ConfigFields {
    private ConfigFields() {
    }

    public static void require(boolean ok, String technique, String field, String expected, Object got) {
        if (!ok) {
            throw new GanCompressException(technique + " configuration: field '" + field + "' must be " + expected
                    + ", got " + got);
        }
    }

    /** A "layers" field: absent means every eligible layer; present, distinct non-empty node names. */
    public static List<String> layerNames(List<String> layers, String technique) {
        if (layers == null) {
            return List.of();
        }
        Set<String> seen = new HashSet<>();
        for (String layer : layers) {
            require(layer != null && !layer.isBlank() && seen.add(layer), technique, "layers",
                    "distinct, non-empty node names", layers);
        }
        return List.copyOf(layers);
    }
}
