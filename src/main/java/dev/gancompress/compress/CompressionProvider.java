package dev.gancompress.compress;

import java.util.List;

/**
 * A family's contribution to the registry, found by {@link java.util.ServiceLoader} (as DJL finds its engines):
 * a new family is one package with a provider plus one line in
 * {@code META-INF/services/dev.gancompress.compress.CompressionProvider}; nothing else in the tool changes.
 */
public interface CompressionProvider {
    /** The family, e.g. "prune": a heading in `--help` and the documentation. */
    String family();

    /** The family's techniques, each with its configuration record. */
    List<Technique<?>> techniques();

    /** Abbreviations of the command line's short recipe form ("prune:channel=0.5"), for these techniques. */
    default List<ShortForm> shortForms() {
        return List.of();
    }
}
