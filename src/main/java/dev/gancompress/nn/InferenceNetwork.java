package dev.gancompress.nn;

import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.model.Shape;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model compiled for inference on the engine: evaluation mode only, no gradients. Layers are fused
 * ({@link InferencePlan}: BatchNorm folded into the weights, activation in the GEMM epilogue or the col2im pass,
 * weights packed once) and the result equals {@code new Network(model).forward(inputs, false)} up to the rounding
 * of the folding (tested to 1e-5 of the output's scale).
 *
 * <p>Threads: a batch of at least {@link #SPLIT_PER_THREAD} images per pool thread is cut into sub-batches that
 * the threads claim one at a time ({@link Parallel#forChunks}), each running the whole network on its own plan
 * with single-threaded kernels: one parallel region per forward instead of two or three per layer, and a thread
 * the scheduler leaves waiting costs its share only. Smaller batches (batch 1) run one plan whose kernels split
 * each layer over the threads. Every image's arithmetic is the same either way.
 *
 * <p>Compressed weights: the folding starts from the values a layer computes with ({@link WeightValues}: storage
 * decoded, masks applied), so a pruned or quantised model runs with exactly its stored weights. The weights are
 * read once, when the network is built: a model changed afterwards needs a new one (training goes through
 * {@link Network}, which reads the live weights at every step). Not thread-safe.
 */
public final class InferenceNetwork {
    /** Images per pool thread from which a batch is split into sub-batches. */
    static final int SPLIT_PER_THREAD = 4;
    /** Sub-batches per thread: enough for claiming to even out a slow thread, few enough to keep GEMMs wide. */
    private static final int CHUNKS_PER_THREAD = 2;

    private final Model model;
    private final WeightValues weights;
    /** Idle plans by batch size; a plan is taken by one sub-batch at a time. */
    private final Map<Integer, ArrayDeque<InferencePlan>> idle = new HashMap<>();
    private final List<String> planNames;
    private final List<InferencePlan> all = new java.util.ArrayList<>();
    private final boolean splitBatches;
    private boolean profiling;

    public InferenceNetwork(Model model) {
        this(model, true);
    }

    /** @param splitBatches false: every batch runs on one plan with layer-parallel kernels (for comparisons) */
    InferenceNetwork(Model model, boolean splitBatches) {
        this.model = model;
        this.splitBatches = splitBatches;
        this.weights = new WeightValues(model);
        InferencePlan first = new InferencePlan(model, weights);
        this.planNames = first.plan();
        all.add(first);
        idle.computeIfAbsent(-1, b -> new ArrayDeque<>()).add(first);
    }

    public Model model() {
        return model;
    }

    /** Runs the model on batch-first inputs by input name (labels as class indices in floats). */
    public Tensor forward(Map<String, Tensor> inputs) {
        int n = Network.batchOf(model, inputs);
        if (n < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + n);
        }
        int threads = Parallel.threads();
        if (!splitBatches || threads == 1 || n < SPLIT_PER_THREAD * threads || Parallel.insideWorker()) {
            InferencePlan plan = take(n);
            try {
                return plan.forward(inputs, n);
            } finally {
                give(n, plan);
            }
        }
        int chunks = Math.min(n, threads * CHUNKS_PER_THREAD);
        int batch = n;
        Shape os = model.outputShape();
        float[] out = new float[os.size() * n];
        Parallel.forChunks(chunks, 1, CHUNKS_PER_THREAD, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                int n0 = (int) ((long) c * batch / chunks);
                int n1 = (int) ((long) (c + 1) * batch / chunks);
                runSlice(inputs, n0, n1, out);
            }
        });
        return new Tensor(Network.batchShape(os, n), out);
    }

    /** Images [n0, n1) on a plan of that size, into their place in the batch-first output. */
    private void runSlice(Map<String, Tensor> inputs, int n0, int n1, float[] out) {
        int m = n1 - n0;
        Map<String, Tensor> slice = new HashMap<>();
        for (Input in : model.inputs()) {
            Tensor t = inputs.get(in.name());
            int size = in.shape().size();
            slice.put(in.name(), new Tensor(Network.batchShape(in.shape(), m),
                    Arrays.copyOfRange(t.data(), n0 * size, n1 * size)));
        }
        InferencePlan plan = take(m);
        try {
            Tensor y = plan.forward(slice, m);
            System.arraycopy(y.data(), 0, out, n0 * y.sampleSize(), y.data().length);
        } finally {
            give(m, plan);
        }
    }

    /** An idle plan for batch n: one last used at n, else any idle one (it resizes), else a new one. */
    private synchronized InferencePlan take(int n) {
        ArrayDeque<InferencePlan> same = idle.get(n);
        if (same != null && !same.isEmpty()) {
            return same.poll();
        }
        for (ArrayDeque<InferencePlan> q : idle.values()) {
            if (!q.isEmpty()) {
                return q.poll();
            }
        }
        InferencePlan plan = new InferencePlan(model, weights);
        if (profiling) {
            plan.startProfiling();
        }
        all.add(plan);
        return plan;
    }

    private synchronized void give(int n, InferencePlan plan) {
        idle.computeIfAbsent(n, b -> new ArrayDeque<>()).add(plan);
    }


    /** The kernels of the plan by the node names they cover ("up1+up1_bn+up1_act"), in order. */
    public List<String> plan() {
        return planNames;
    }

    /** Starts (or restarts) per-step timing of forward passes. */
    public synchronized void startProfiling() {
        profiling = true;
        for (InferencePlan p : all) {
            p.startProfiling();
        }
    }

    /**
     * Milliseconds per step since {@link #startProfiling()}, by {@link #plan()} name, summed over the threads that
     * ran sub-batches (so with a split batch they add up to thread time, not wall time).
     */
    public synchronized Map<String, Double> profile() {
        Map<String, Double> map = new LinkedHashMap<>();
        for (String name : planNames) {
            map.put(name, 0.0);
        }
        for (InferencePlan p : all) {
            p.profile().forEach((k, v) -> map.merge(k, v, Double::sum));
        }
        return map;
    }
}
