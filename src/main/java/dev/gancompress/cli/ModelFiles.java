package dev.gancompress.cli;

import dev.gancompress.Provenance;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.encode.GczReader;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.runtime.OnnxVerification;
import dev.gancompress.runtime.VerifiedModelWriter;
import dev.gancompress.onnx.OnnxImporter;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** Model file I/O for commands, with the provenance every artifact carries. */
final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * The one model-reading entry of the commands: an ONNX file, or a .gcz container (recognised by its magic
     * bytes, whatever the file is called) decoded to the model it was encoded from.
     */
    static Model read(Path file) {
        return GczReader.isGcz(file) ? GczReader.readModel(file) : OnnxImporter.read(file);
    }

    /** The model as stored, even when its weights are not finite, for showing what the file holds. */
    static Model readForInspection(Path file) {
        return GczReader.isGcz(file) ? GczReader.readModelForInspection(file) : OnnxImporter.readForInspection(file);
    }

    /** A generator to evaluate, named by its file and that file's SHA-256 (of the .gcz bytes for a container). */
    static QualityEvaluation.Source source(Path file) {
        return new QualityEvaluation.Source(read(file), file.toString(), dev.gancompress.Digests.sha256(file));
    }

    /** Reads a model that must be a generator: a latent input (and perhaps a class label), an image output. */
    static Model readGenerator(Path file) {
        return requireGenerator(read(file), file);
    }

    /** A generator to compress: a latent generator, or an image-to-image one (pix2pix). */
    static Model readTeacher(Path file) {
        Model model = read(file);
        return isImageToImage(model) ? model : requireGenerator(model, file);
    }

    /** Whether {@code model} maps an image to an image (pix2pix): one image input, no latent, an image output. */
    static boolean isImageToImage(Model model) {
        return model.input(Input.Kind.LATENT) == null && model.inputs().size() == 1
                && model.input(Input.Kind.IMAGE) != null && model.outputShape().rank() == 3;
    }

    static Model requireGenerator(Model model, Path file) {
        if (model.input(Input.Kind.LATENT) == null) {
            StringJoiner inputs = new StringJoiner(", ");
            for (Input in : model.inputs()) {
                inputs.add(in.kind().name().toLowerCase(Locale.ROOT) + " '" + in.name() + "' " + in.shape());
            }
            throw new GanCompressException("model " + file + " is not a generator: its inputs are " + inputs
                    + "; expected a latent input (a vector per sample; a discriminator or evaluator takes an image)");
        }
        if (model.outputShape().rank() != 3) {
            throw new GanCompressException("model " + file + " outputs " + model.outputShape()
                    + "; a generator outputs an image [C, H, W]");
        }
        return model;
    }

    /** Writes through {@link VerifiedModelWriter}: nothing is written when ORT and the engine disagree. */
    static void write(Model model, Path file, String command, long seed, String datasetHash, boolean verify) {
        Provenance provenance = Provenance.of(command).withSeed(seed);
        if (datasetHash != null) {
            provenance = provenance.withInputHash("dataset", datasetHash);
        }
        report(file, VerifiedModelWriter.write(model, file, provenance.metadata(), verify));
    }

    static void report(Path file, OnnxVerification.Result check) {
        if (check != null) {
            System.out.println(file + ": " + check.summary());
        }
    }
}
