package dev.gancompress.compress;

import java.util.function.Function;

/**
 * A registered technique: its name, its configuration record (the schema of its JSON) and how to build it.
 *
 * @param name       the registry name, e.g. "channel-pruning"
 * @param configType the validated configuration record
 * @param factory    builds the technique from a configuration
 */
public record Technique<C extends Record>(String name, Class<C> configType, Function<C, Compression> factory) {
    public static <C extends Record> Technique<C> of(String name, Class<C> configType, Function<C, Compression> factory) {
        return new Technique<>(name, configType, factory);
    }

    Compression create(Object config) {
        return factory.apply(configType.cast(config));
    }
}
