package dev.gancompress.onnx;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.model.WeightSlot;

import java.util.Map;

/**
 * Refuses a model whose stored tensors hold NaN or infinity. A diverged training run writes such files, and every
 * number measured on one (FID, PSNR, a pruning threshold) is meaningless, so {@link OnnxImporter#read} applies this
 * check to every model a command reads; only {@code info} looks at the structure of such a file first.
 */
public final class FiniteWeights {
    private FiniteWeights() {
    }

    /**
     * @param source the file name (or other origin) named in the message
     * @return the model, when every weight and buffer is finite
     * @throws GanCompressException naming the first tensor with a non-finite value, how many it holds and where the
     *                              first one is
     */
    public static Model require(Model model, String source) {
        String firstTensor = null;
        int firstIndex = -1;
        float firstValue = 0f;
        long badValues = 0;
        int badTensors = 0;
        for (Map.Entry<String, WeightSlot> e : model.weightSlots().entrySet()) {
            float[] data = e.getValue().weights().data();
            long bad = 0;
            for (int i = 0; i < data.length; i++) {
                if (!Float.isFinite(data[i])) {
                    if (bad == 0 && firstTensor == null) {
                        firstIndex = i;
                        firstValue = data[i];
                    }
                    bad++;
                }
            }
            if (bad > 0) {
                if (firstTensor == null) {
                    firstTensor = e.getKey();
                    badValues = bad;
                }
                badTensors++;
            }
        }
        if (firstTensor == null) {
            return model;
        }
        throw new GanCompressException("model " + source + ": tensor '" + firstTensor + "' has " + badValues
                + " non-finite value" + (badValues == 1 ? "" : "s") + " (first at index " + firstIndex + ": "
                + firstValue + ")" + (badTensors > 1 ? ", and " + (badTensors - 1) + " more tensor"
                + (badTensors > 2 ? "s have" : " has") + " some" : "") + "; expected finite numbers");
    }
}
