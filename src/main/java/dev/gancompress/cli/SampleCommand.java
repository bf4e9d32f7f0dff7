package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.report.ImageGrid;
import dev.gancompress.runtime.GeneratorSampler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Draw an image grid (PNG) from a generator for a seed; conditional models cycle the classes.")
final class SampleCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Generator ONNX file.")
    Path model;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the latent codes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--count", defaultValue = "64", description = "Images in the grid (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--columns", defaultValue = "8",
            description = "Grid columns for unconditional models; conditional ones use one column per class "
                    + "(default ${DEFAULT-VALUE}).")
    int columns;

    @Option(names = "--scale", defaultValue = "2", description = "Pixel upscaling in the grid.")
    int scale;

    @Option(names = "--out", required = true, description = "PNG file to write.")
    Path out;

    @Override
    public Integer call() {
        if (count < 1 || columns < 1 || scale < 1) {
            throw new GanCompressException("--count, --columns and --scale must be >= 1");
        }
        Model g = ModelFiles.readGenerator(model);
        GeneratorSampler sampler = new GeneratorSampler(g);
        int[] shape = sampler.imageShape();
        long imageSize = g.outputShape().size();
        if ((long) count * imageSize > Integer.MAX_VALUE - 8) {
            throw new GanCompressException("--count " + count + ": a grid of that many " + g.outputShape()
                    + " images does not fit in memory at once; use --count <= " + (Integer.MAX_VALUE - 8) / imageSize);
        }
        float[] images = sampler.generate(seed, count, 64);
        ImageGrid.write(images, count, shape[0], shape[1], shape[2],
                sampler.numClasses() > 0 ? sampler.numClasses() : columns, scale, out);
        System.out.println("wrote " + out);
        return ExitCode.OK.code();
    }
}
