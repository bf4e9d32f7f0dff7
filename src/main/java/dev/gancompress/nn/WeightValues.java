package dev.gancompress.nn;

import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values the kernels compute with, per weight tensor: the one place where the engine applies a tensor's
 * {@link WeightStorage}. An fp32 tensor is its live data array; any other is fake-quantised,
 * decode(encode(master)) ({@link WeightStorage#fakeQuantize}), into a buffer of this network, refreshed at the
 * start of every forward pass so that it follows the optimiser's updates of the master values. Backward uses the
 * same values, and the parameter gradients the kernels compute with respect to them are applied to the master
 * values unchanged: the straight-through estimator (Bengio, Leonard and Courville 2013), as quantisation-aware
 * training (Jacob et al. 2018) needs. The storage is read at every refresh, so a pass that changes a tensor's
 * description between steps is followed.
 *
 * <p>A refresh re-encodes a tensor only when its master values, mask or storage changed since the last one (a
 * comparison of arrays costs a fraction of the re-encoding, which matters in evaluation loops), at the price of
 * one more copy of each stored tensor.
 */
final class WeightValues {
    /** The stored values of one tensor and what they were computed from. */
    private static final class Stored {
        final float[] values;
        final float[] master;
        float[] mask;
        WeightStorage storage;

        Stored(int size) {
            values = new float[size];
            master = new float[size];
        }

        boolean current(Weights w) {
            return storage == w.storage() && Arrays.equals(master, w.data()) && Arrays.equals(mask, w.mask());
        }

        void update(Weights w) {
            w.storage().fakeQuantize(w.data(), w.mask(), w.shape(), values);
            System.arraycopy(w.data(), 0, master, 0, master.length);
            mask = w.mask() == null ? null : w.mask().clone();
            storage = w.storage();
        }
    }

    private final List<Weights> tensors = new ArrayList<>();
    private final Map<Weights, Stored> stored = new IdentityHashMap<>();

    WeightValues(Model model) {
        for (Node node : model.nodes()) {
            for (WeightSlot slot : node.layer().weights()) {
                tensors.add(slot.weights());
            }
        }
        refresh();
    }

    /** Re-applies every tensor's storage to its master values, where they changed. */
    void refresh() {
        for (Weights w : tensors) {
            if (!w.storage().isLossy()) {
                stored.remove(w);
                continue;
            }
            Stored s = stored.computeIfAbsent(w, k -> new Stored(k.size()));
            if (!s.current(w)) {
                s.update(w);
            }
        }
    }

    /** The values to compute with: the live data of an fp32 tensor, else its fake-quantised copy. */
    float[] of(Weights w) {
        Stored s = stored.get(w);
        return s == null ? w.data() : s.values;
    }
}
