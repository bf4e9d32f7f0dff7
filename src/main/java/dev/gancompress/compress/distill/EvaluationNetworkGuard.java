package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * No metric gaming: FID, KID and precision/recall are computed on the evaluation network, so no training loss may
 * read that network or one trained from the same weights, or a student could learn the metric's blind spots
 * instead of the distribution. A loss that needs image features uses a second classifier (train-evaluator
 * --arch narrow-deep with another seed). Refused, each with its reason:
 * <ul>
 *   <li>the same file (equal SHA-256), when both files are known;</li>
 *   <li>the same weights (equal digest over every weight tensor, so a re-export of the same network too);</li>
 *   <li>any weight tensor identical to one of the evaluator's (a network partly copied or frozen from it);</li>
 *   <li>the same lineage: equal recorded architecture, training seed and data set, i.e. the same initial weights
 *       and batches (train-evaluator records them; a missing architecture counts as the standard one).</li>
 * </ul>
 */
public final class EvaluationNetworkGuard {
    private EvaluationNetworkGuard() {
    }

    /**
     * @param featureSha256   SHA-256 of the feature network's file, or null if it did not come from a file
     * @param evaluatorSha256 SHA-256 of the evaluation network's file, or null if unknown
     * @throws GanCompressException if {@code featureNetwork} is, or derives from, {@code evaluator}
     */
    public static void refuseEvaluationNetwork(Model featureNetwork, String source, String featureSha256,
                                               Model evaluator, String evaluatorSha256) {
        if (evaluator == null) {
            throw new GanCompressException("feature network " + source + ": the evaluation network (--evaluator) "
                    + "is needed to check that a training loss does not use it");
        }
        String refused = "feature network " + source + " is refused for a training loss: ";
        String why = " (no metric gaming: FID/KID/recall are computed on that network; train a separate one with "
                + "`train-evaluator --arch narrow-deep --seed 7`)";
        if (featureSha256 != null && featureSha256.equals(evaluatorSha256)) {
            throw new GanCompressException(refused + "it is the evaluation network's file (sha256 "
                    + featureSha256.substring(0, 12) + ")" + why);
        }
        if (weightsDigest(featureNetwork).equals(weightsDigest(evaluator))) {
            throw new GanCompressException(refused + "it has the evaluation network's weights" + why);
        }
        Map<String, String> evaluatorTensors = new HashMap<>();
        forEachTensor(evaluator, (name, digest) -> evaluatorTensors.put(digest, name));
        forEachTensor(featureNetwork, (name, digest) -> {
            String shared = evaluatorTensors.get(digest);
            if (shared != null) {
                throw new GanCompressException(refused + "its tensor " + name + " equals the evaluation network's "
                        + shared + ", so it was derived from its weights" + why);
            }
        });
        Map<String, String> f = featureNetwork.metadata();
        Map<String, String> e = evaluator.metadata();
        String fArch = f.getOrDefault("evaluator.arch", "STANDARD");
        String eArch = e.getOrDefault("evaluator.arch", "STANDARD");
        if (fArch.equals(eArch) && f.get("seed") != null && f.get("seed").equals(e.get("seed"))
                && java.util.Objects.equals(f.get("dataset_sha256"), e.get("dataset_sha256"))) {
            throw new GanCompressException(refused + "it was trained with the evaluation network's architecture ("
                    + fArch + "), seed (" + f.get("seed") + ") and data, i.e. from the same initial weights" + why);
        }
    }

    /** SHA-256 over every weight tensor's shape and values, in node order. */
    static String weightsDigest(Model model) {
        MessageDigest md = sha256();
        for (Node n : model.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                md.update(tensorBytes(slot.weights().shape(), slot.weights().data()));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void forEachTensor(Model model, java.util.function.BiConsumer<String, String> action) {
        for (Node n : model.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                float[] d = slot.weights().data();
                // a constant tensor (BatchNorm's initial scale 1 or bias 0) says nothing about lineage
                if (d.length < 2 || isConstant(d)) {
                    continue;
                }
                action.accept(n.name() + "." + slot.role(),
                        HexFormat.of().formatHex(sha256().digest(tensorBytes(slot.weights().shape(), d))));
            }
        }
    }

    private static boolean isConstant(float[] d) {
        for (float v : d) {
            if (Float.floatToIntBits(v) != Float.floatToIntBits(d[0])) {
                return false;
            }
        }
        return true;
    }

    private static byte[] tensorBytes(int[] shape, float[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * shape.length + 4 * data.length);
        b.putInt(shape.length);
        for (int s : shape) {
            b.putInt(s);
        }
        for (float v : data) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
