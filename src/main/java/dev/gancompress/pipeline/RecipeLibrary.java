package dev.gancompress.pipeline;

import dev.gancompress.GanCompressException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a --recipe comes from: a JSON file, the name of a built-in recipe (the files of the repository's
 * {@code recipes/} folder, packaged as class-path resources), or the short form.
 */
public final class RecipeLibrary {
    /** The built-in recipes; a test checks that this list and the recipes/ folder agree. */
    public static final List<String> BUILT_IN = List.of("deep-compression", "slimming", "distill-int8",
            "lowrank-int8", "prune-channels", "distill-half", "lowrank-tucker2", "quantize-int8", "share-encode");

    private RecipeLibrary() {
    }

    /** A recipe from a file path, a built-in name or a short form, parsed and validated. */
    public static Recipe resolve(String spec) {
        Path file;
        try {
            file = Path.of(spec);
        } catch (java.nio.file.InvalidPathException e) {
            file = null;
        }
        if (file != null && Files.isRegularFile(file)) {
            try {
                return RecipeJson.parse(Files.readString(file), spec);
            } catch (IOException e) {
                throw new GanCompressException("cannot read recipe file " + spec + ": " + e.getMessage());
            }
        }
        if (BUILT_IN.contains(spec)) {
            return builtIn(spec);
        }
        if (RecipeShortForm.looksLike(spec)) {
            return RecipeShortForm.parse(spec);
        }
        throw new GanCompressException("--recipe '" + spec + "' is neither a file, a built-in recipe ("
                + String.join(", ", BUILT_IN) + ") nor a short form such as prune:channel=0.5,quantize:int8");
    }

    public static Recipe builtIn(String name) {
        String resource = "/recipes/" + name + ".json";
        try (InputStream in = RecipeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new GanCompressException("unknown built-in recipe '" + name + "'; built-in: "
                        + String.join(", ", BUILT_IN));
            }
            return RecipeJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in recipe " + name);
        } catch (IOException e) {
            throw new GanCompressException("cannot read built-in recipe " + name + ": " + e.getMessage());
        }
    }
}
