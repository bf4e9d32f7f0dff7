package dev.gancompress.data;

import dev.gancompress.GanCompressException;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Loaders of the two aligned layouts pix2pix's datasets come in: a folder of files that each hold the input and
 * the target side by side (A|B: left half input, right half target, as in the released facades and edges2shoes
 * sets), or a folder with sub-folders A/ and B/ whose files pair up by name. Files are read in sorted name order;
 * every pair must have the size of the first one (a model takes one size; resize the set afterwards with
 * {@link PairedDataset#resized}). Images are converted to 1 or 3 channels as {@link ImageFolderDataset} does.
 */
public final class PairedFolders {
    private PairedFolders() {
    }

    /** Whether {@code dir} has the A/ + B/ layout. */
    public static boolean isSplit(Path dir) {
        return Files.isDirectory(dir.resolve("A")) && Files.isDirectory(dir.resolve("B"));
    }

    /** Opens {@code dir} as A/ + B/ folders when it has them, else as A|B files. */
    public static PairedDataset load(Path dir, int inputChannels, int targetChannels) {
        return isSplit(dir) ? loadSplit(dir, inputChannels, targetChannels)
                : loadSideBySide(dir, inputChannels, targetChannels);
    }

    /** A folder of A|B files: each is 2w wide, the left w columns the input, the right w the target. */
    public static PairedDataset loadSideBySide(Path dir, int inputChannels, int targetChannels) {
        List<Path> files = imageFiles(dir, "A|B folder " + dir);
        Sides sides = null;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            BufferedImage img = ImageFolderDataset.read(file);
            if (img.getWidth() % 2 != 0) {
                throw new GanCompressException("A|B image " + file + " is " + img.getWidth()
                        + " pixels wide, an odd width: an A|B file holds the input (left half) and the target (right "
                        + "half) side by side, so its width must be even");
            }
            int w = img.getWidth() / 2;
            int h = img.getHeight();
            if (sides == null) {
                sides = new Sides(files.size(), h, w, inputChannels, targetChannels);
            } else if (h != sides.height || w != sides.width) {
                throw new GanCompressException("A|B image " + file + " is " + h + "x" + img.getWidth()
                        + " (height x width) but " + files.get(0).getFileName() + " is " + sides.height + "x"
                        + 2 * sides.width + ": every pair must have the same size");
            }
            sides.put(i, img.getSubimage(0, 0, w, h), img.getSubimage(w, 0, w, h));
        }
        return sides.build("A|B folder " + dir + " (" + files.size() + " pairs)");
    }

    /** A folder with A/ (inputs) and B/ (targets) holding files of the same names. */
    public static PairedDataset loadSplit(Path dir, int inputChannels, int targetChannels) {
        Path a = dir.resolve("A");
        Path b = dir.resolve("B");
        List<Path> inputs = imageFiles(a, "paired folder " + a);
        List<Path> targets = imageFiles(b, "paired folder " + b);
        Set<String> inputNames = names(inputs);
        Set<String> targetNames = names(targets);
        for (String name : inputNames) {
            if (!targetNames.contains(name)) {
                throw new GanCompressException("paired folders " + dir + ": A/" + name + " has no target B/" + name
                        + " (A/ and B/ must hold files of the same names)");
            }
        }
        for (String name : targetNames) {
            if (!inputNames.contains(name)) {
                throw new GanCompressException("paired folders " + dir + ": B/" + name + " has no input A/" + name
                        + " (A/ and B/ must hold files of the same names)");
            }
        }
        Sides sides = null;
        for (int i = 0; i < inputs.size(); i++) {
            BufferedImage in = ImageFolderDataset.read(inputs.get(i));
            BufferedImage out = ImageFolderDataset.read(targets.get(i));
            if (in.getWidth() != out.getWidth() || in.getHeight() != out.getHeight()) {
                throw new GanCompressException("paired folders " + dir + ": " + inputs.get(i).getFileName() + " is "
                        + in.getHeight() + "x" + in.getWidth() + " in A/ but " + out.getHeight() + "x"
                        + out.getWidth() + " in B/ (height x width): input and target must have the same size");
            }
            if (sides == null) {
                sides = new Sides(inputs.size(), in.getHeight(), in.getWidth(), inputChannels, targetChannels);
            } else if (in.getHeight() != sides.height || in.getWidth() != sides.width) {
                throw new GanCompressException("paired folders " + dir + ": " + inputs.get(i).getFileName() + " is "
                        + in.getHeight() + "x" + in.getWidth() + " but " + inputs.get(0).getFileName() + " is "
                        + sides.height + "x" + sides.width + ": every pair must have the same size");
            }
            sides.put(i, in, out);
        }
        return sides.build("paired folders " + dir + " (" + inputs.size() + " pairs)");
    }

    private static List<Path> imageFiles(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new GanCompressException(what + ": not a directory");
        }
        List<Path> files = ImageFolderDataset.images(dir);
        if (files.isEmpty()) {
            throw new GanCompressException(what + ": no PNG/JPEG images found");
        }
        return files;
    }

    private static Set<String> names(List<Path> files) {
        Set<String> names = new LinkedHashSet<>();
        for (Path f : files) {
            names.add(f.getFileName().toString());
        }
        return names;
    }

    /** The two byte arrays being filled. */
    private static final class Sides {
        final int height;
        final int width;
        final int inputChannels;
        final int targetChannels;
        final byte[] inputs;
        final byte[] targets;

        Sides(int count, int height, int width, int inputChannels, int targetChannels) {
            for (int c : new int[] {inputChannels, targetChannels}) {
                if (c != 1 && c != 3) {
                    throw new GanCompressException("paired images: channels must be 1 or 3, got " + c);
                }
            }
            long total = (long) count * height * width * Math.max(inputChannels, targetChannels);
            if (total > Integer.MAX_VALUE - 8) {
                throw new GanCompressException("paired images: " + count + " pairs of " + height + "x" + width
                        + " exceed the 2 GiB one byte array can hold");
            }
            this.height = height;
            this.width = width;
            this.inputChannels = inputChannels;
            this.targetChannels = targetChannels;
            this.inputs = new byte[count * inputChannels * height * width];
            this.targets = new byte[count * targetChannels * height * width];
        }

        void put(int index, BufferedImage input, BufferedImage target) {
            copy(ImageFolderDataset.toPlanes(input, inputChannels), inputs, index * inputChannels * height * width);
            copy(ImageFolderDataset.toPlanes(target, targetChannels), targets,
                    index * targetChannels * height * width);
        }

        private static void copy(float[] planes, byte[] dst, int offset) {
            for (int i = 0; i < planes.length; i++) {
                dst[offset + i] = (byte) Math.round(Math.min(255f, Math.max(0f, planes[i])));
            }
        }

        PairedDataset build(String description) {
            return new PairedDataset(
                    new ByteImageDataset(inputs, null, inputChannels, height, width, List.of(), description + " inputs"),
                    new ByteImageDataset(targets, null, targetChannels, height, width, List.of(),
                            description + " targets"),
                    description);
        }
    }
}
