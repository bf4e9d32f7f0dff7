package dev.gancompress.runtime;

import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;

import java.util.Set;
import java.util.TreeSet;

/** How a model's weights and activations are stored, in words for the benchmark's precision column. */
final class StorageKinds {
    private StorageKinds() {
    }

    /** The kinds of the lossy weight storages ("int8", "fp16", ...); empty for an fp32 model. */
    static Set<String> lossyWeights(Model model) {
        Set<String> kinds = new TreeSet<>();
        for (Node n : model.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                if (slot.weights().storage().isLossy()) {
                    kinds.add(slot.weights().storage().kind());
                }
            }
        }
        return kinds;
    }

    static boolean quantizedActivations(Model model) {
        return !model.quantizedActivations().isEmpty();
    }
}
