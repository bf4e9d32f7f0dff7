package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The teacher generator run on the student's step inputs (same latent codes and labels, or for an image-to-image
 * generator the same input images), once per step and
 * shared by the distillation terms of that step. The teacher runs in inference mode: it is a fixed function,
 * evaluated as it is deployed, and training-mode BatchNorm would drift its running statistics.
 */
final class TeacherForward {
    private final Model teacher;
    private final Network network;
    private long cachedStep = Long.MIN_VALUE;
    private float[] cachedLatent;
    private Tensor cachedOutput;

    TeacherForward(Model teacher) {
        this.teacher = teacher;
        this.network = new Network(teacher);
    }

    Model model() {
        return teacher;
    }

    /** The teacher's output on the inputs the student was given (matched by input kind, not name). */
    Tensor run(Model student, Map<String, Tensor> studentInputs, long step) {
        // a latent GAN's step is keyed by its codes, an image-to-image generator's by its input images
        Input key = student.input(Input.Kind.LATENT) != null ? student.input(Input.Kind.LATENT)
                : student.input(Input.Kind.IMAGE);
        Tensor latent = studentInputs.get(key.name());
        if (step == cachedStep && Arrays.equals(latent.data(), cachedLatent)) {
            return cachedOutput;
        }
        Map<String, Tensor> inputs = new HashMap<>();
        for (Input in : teacher.inputs()) {
            Input mine = student.input(in.kind());
            if (mine == null || !studentInputs.containsKey(mine.name())) {
                throw new GanCompressException("the student " + student.name() + " has no " + in.kind()
                        + " input for the teacher's input '" + in.name() + "'");
            }
            inputs.put(in.name(), studentInputs.get(mine.name()));
        }
        cachedOutput = network.forward(inputs, false);
        cachedStep = step;
        cachedLatent = latent.data().clone();
        return cachedOutput;
    }

    /** A teacher value of the last {@link #run}, batch-first. */
    Tensor value(String name) {
        return network.value(name);
    }
}
