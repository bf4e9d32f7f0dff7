package dev.gancompress.cli;

import dev.gancompress.model.Model;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Model file I/O for commands, with the provenance every artifact carries. */
final class ModelFiles {
    private ModelFiles() {
    }

    static Model read(Path file) {
        return OnnxImporter.read(file);
    }

    static void write(Model model, Path file, String command, long seed, String datasetHash) {
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("command", command);
        provenance.put("seed", Long.toString(seed));
        if (datasetHash != null) {
            provenance.put("dataset_sha256", datasetHash);
        }
        OnnxExporter.write(model, file, provenance);
    }
}
