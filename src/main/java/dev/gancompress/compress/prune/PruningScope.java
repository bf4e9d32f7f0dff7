package dev.gancompress.compress.prune;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.gancompress.GanCompressException;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where a pruning budget is spent. PER_LAYER removes the same fraction from every layer; GLOBAL ranks all
 * candidates of the model together, so layers with many unimportant weights (or channels) lose more of them.
 */
public enum PruningScope {
    GLOBAL, PER_LAYER;

    /** Accepts "global", "per-layer", "PER_LAYER" in JSON configs. */
    @JsonCreator
    public static PruningScope parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new GanCompressException("scope must be one of " + Arrays.toString(values()) + ", got '" + text
                    + "'");
        }
    }
}
