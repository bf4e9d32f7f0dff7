package dev.gancompress.model;

/**
 * A graph input. LATENT and IMAGE inputs are float tensors of {@code shape}; a LABEL input is one class
 * index per sample (shape [], ONNX int64) with {@code numClasses} classes.
 */
public record Input(String name, Kind kind, Shape shape, int numClasses) {
    public enum Kind { LATENT, IMAGE, LABEL }

    public Input {
        if (kind == Kind.LABEL && (shape.rank() != 0 || numClasses < 1)) {
            throw new IllegalArgumentException("label input " + name + " needs shape [] and numClasses >= 1");
        }
    }

    public static Input latent(String name, int dim) {
        return new Input(name, Kind.LATENT, Shape.of(dim), 0);
    }

    public static Input image(String name, int c, int h, int w) {
        return new Input(name, Kind.IMAGE, Shape.of(c, h, w), 0);
    }

    public static Input label(String name, int numClasses) {
        return new Input(name, Kind.LABEL, Shape.of(), numClasses);
    }
}
