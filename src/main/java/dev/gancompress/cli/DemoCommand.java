package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.report.ImageGrid;
import dev.gancompress.runtime.GeneratorSampler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The main job: load the bundled teachers, sample them into image grids and write the report.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--models", defaultValue = "models", description = "Folder of bundled models (default ${DEFAULT-VALUE}).")
    Path models;

    @Option(names = "--out", defaultValue = "out/demo", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "1") long seed;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        boolean any = false;
        for (String name : new String[] {"dcgan-fashion", "cdcgan-fashion"}) {
            Path file = models.resolve(name + ".onnx");
            if (!Files.exists(file)) {
                System.out.println("missing bundled teacher " + file + " (see README: how it was made)");
                continue;
            }
            any = true;
            Model teacher = ModelFiles.read(file);
            GeneratorSampler sampler = new GeneratorSampler(teacher);
            int[] s = sampler.imageShape();
            float[] images = sampler.generate(seed, 100, 100);
            Path grid = out.resolve(name + "-samples.png");
            ImageGrid.write(images, 100, s[0], s[1], s[2], 10, 2, grid);
            System.out.printf(Locale.ROOT, "%s: %,d parameters, %,d MACs/image -> %s%n", name,
                    teacher.parameterCount(), teacher.macs(), grid);
        }
        if (!any) {
            throw new GanCompressException("no bundled teacher found in " + models
                    + "; expected dcgan-fashion.onnx (train one with the command in the README)");
        }
        return ExitCode.OK.code();
    }
}
