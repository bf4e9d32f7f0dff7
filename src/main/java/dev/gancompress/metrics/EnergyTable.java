package dev.gancompress.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gancompress.GanCompressException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Energy per operation in picojoules, with where the numbers come from. The bundled table
 * ({@code energy-45nm.json}) is Horowitz's 45 nm figures (ISSCC 2014) as used by Han et al. (2015, 2016):
 * a 32-bit DRAM access costs about 130 fp32 multiplies, which is why compression that shrinks memory traffic
 * saves more energy than compression that only removes arithmetic.
 */
public record EnergyTable(String source, double dramAccess32BitPj, double sramAccess32BitPj, double fp32MultiplyPj,
                          double fp32AddPj, double int8MultiplyPj, double int8AddPj) {
    static final String RESOURCE = "energy-45nm.json";
    private static final List<String> ENERGY_FIELDS = List.of("dramAccess32BitPj", "sramAccess32BitPj",
            "fp32MultiplyPj", "fp32AddPj", "int8MultiplyPj", "int8AddPj");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public EnergyTable {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("energy table needs a source");
        }
        double[] values = {dramAccess32BitPj, sramAccess32BitPj, fp32MultiplyPj, fp32AddPj, int8MultiplyPj,
                int8AddPj};
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] > 0) || Double.isInfinite(values[i])) {
                throw new IllegalArgumentException("energy table field '" + ENERGY_FIELDS.get(i)
                        + "' must be a positive finite number of picojoules, got " + values[i]);
            }
        }
    }

    /** The bundled 45 nm table. */
    public static EnergyTable horowitz45nm() {
        try (InputStream in = EnergyTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("bundled resource " + RESOURCE + " is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    "bundled " + RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a user table; any problem is a GanCompressException naming the file and the field. */
    public static EnergyTable load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new GanCompressException("cannot read energy table " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses a table from JSON text; {@code origin} names it in error messages. */
    public static EnergyTable parse(String json, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new GanCompressException("energy table " + origin + " is not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new GanCompressException("energy table " + origin + " must be a JSON object with fields source, "
                    + String.join(", ", ENERGY_FIELDS));
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("source") && !ENERGY_FIELDS.contains(name)) {
                throw new GanCompressException("energy table " + origin + ": field '" + name
                        + "' is unknown; expected source, " + String.join(", ", ENERGY_FIELDS));
            }
        }
        JsonNode source = root.get("source");
        if (source == null || !source.isTextual() || source.asText().isBlank()) {
            throw new GanCompressException("energy table " + origin
                    + ": field 'source' must be a non-empty string citing where the numbers come from");
        }
        Map<String, Double> pj = new LinkedHashMap<>();
        for (String field : ENERGY_FIELDS) {
            JsonNode v = root.get(field);
            if (v == null || !v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
                throw new GanCompressException("energy table " + origin + ": field '" + field
                        + "' must be a positive number of picojoules, got " + (v == null ? "nothing" : v.toString()));
            }
            pj.put(field, v.asDouble());
        }
        return new EnergyTable(source.asText(), pj.get("dramAccess32BitPj"), pj.get("sramAccess32BitPj"),
                pj.get("fp32MultiplyPj"), pj.get("fp32AddPj"), pj.get("int8MultiplyPj"), pj.get("int8AddPj"));
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an energy table always serialises", e);
        }
    }

    public void save(Path file) {
        try {
            Files.writeString(file, toJson());
        } catch (IOException e) {
            throw new GanCompressException("cannot write energy table " + file + ": " + e.getMessage(), e);
        }
    }

    /** Energy of one multiply-accumulate, int8 or fp32 arithmetic. */
    public double macPj(boolean int8) {
        return int8 ? int8MultiplyPj + int8AddPj : fp32MultiplyPj + fp32AddPj;
    }
}
