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

    @Option(names = "--seed", defaultValue = "1") long seed;

    @Option(names = "--count", defaultValue = "64") int count;

    @Option(names = "--columns", defaultValue = "8") int columns;

    @Option(names = "--scale", defaultValue = "2", description = "Pixel upscaling in the grid.")
    int scale;

    @Option(names = "--out", required = true, description = "PNG file to write.")
    Path out;

    @Override
    public Integer call() {
        if (count < 1 || columns < 1 || scale < 1) {
            throw new GanCompressException("--count, --columns and --scale must be >= 1");
        }
        Model g = ModelFiles.read(model);
        GeneratorSampler sampler = new GeneratorSampler(g);
        int[] shape = sampler.imageShape();
        if (shape.length != 3) {
            throw new GanCompressException("model " + model + " outputs " + java.util.Arrays.toString(shape)
                    + ", expected an image [C, H, W]");
        }
        float[] images = sampler.generate(seed, count, 64);
        ImageGrid.write(images, count, shape[0], shape[1], shape[2],
                sampler.numClasses() > 0 ? sampler.numClasses() : columns, scale, out);
        System.out.println("wrote " + out);
        return ExitCode.OK.code();
    }
}
