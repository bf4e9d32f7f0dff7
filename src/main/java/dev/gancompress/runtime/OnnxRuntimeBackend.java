package dev.gancompress.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.gancompress.GanCompressException;
import dev.gancompress.nn.Tensor;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Runs an ONNX model with Microsoft ONNX Runtime (CPU), as the independent reference for what the Java engine
 * computes and as a deployment-side latency baseline. Inputs and the output use the public {@link Tensor}
 * layout (batch first). A class-label input (ONNX int64 [N]) is given as a Tensor of class indices stored as
 * floats and converted here, so every backend takes the same input map.
 *
 * <p>The ORT environment is a process-wide singleton and is never closed here; the session and its options
 * are, by {@link #close()}.
 */
public final class OnnxRuntimeBackend implements AutoCloseable {
    private final String source;
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final Map<String, TensorInfo> inputs = new LinkedHashMap<>();
    private final String outputName;

    /** Opens the file with one intra-op thread per available core. */
    public OnnxRuntimeBackend(Path file) {
        this(file, Runtime.getRuntime().availableProcessors());
    }

    public OnnxRuntimeBackend(Path file, int intraOpThreads) {
        this(file.toString(), null, checkExists(file), intraOpThreads);
    }

    /** Opens an in-memory model (e.g. {@code OnnxExporter.toBytes}) with one intra-op thread per core. */
    public OnnxRuntimeBackend(byte[] model) {
        this(model, Runtime.getRuntime().availableProcessors());
    }

    public OnnxRuntimeBackend(byte[] model, int intraOpThreads) {
        this("<in-memory model>", model, null, intraOpThreads);
    }

    private OnnxRuntimeBackend(String source, byte[] bytes, Path file, int intraOpThreads) {
        if (intraOpThreads < 1) {
            throw new GanCompressException("ONNX Runtime intra-op threads must be >= 1, got " + intraOpThreads);
        }
        this.source = source;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        OrtSession s = null;
        try {
            configure(opts, intraOpThreads);
            s = bytes != null ? env.createSession(bytes, opts) : env.createSession(file.toString(), opts);
            for (Map.Entry<String, NodeInfo> e : s.getInputInfo().entrySet()) {
                if (!(e.getValue().getInfo() instanceof TensorInfo info)) {
                    throw new GanCompressException("ONNX model " + source + ": input '" + e.getKey()
                            + "' is not a tensor");
                }
                inputs.put(e.getKey(), info);
            }
            if (s.getNumOutputs() != 1) {
                throw new GanCompressException("ONNX model " + source + " has " + s.getNumOutputs()
                        + " outputs; expected one");
            }
            outputName = s.getOutputNames().iterator().next();
        } catch (OrtException e) {
            closeQuietly(s, opts);
            throw new GanCompressException("ONNX Runtime cannot load " + source + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(s, opts);
            throw e;
        }
        this.options = opts;
        this.session = s;
    }

    /**
     * The settings of every session here, all explicit rather than ORT's defaults: {@code intraOpThreads} threads,
     * one inter-op thread and sequential execution (a generator is a chain, nothing runs in parallel across nodes),
     * every graph optimisation, and intra-op spinning off. Spinning workers busy-wait between operators; in a process
     * that also runs the engine's pool, or on a machine shared with other jobs, they take the cores the other threads
     * need, which is how an in-process comparison once put ORT at a third of its speed (issue 12).
     */
    static void configure(OrtSession.SessionOptions opts, int intraOpThreads) throws OrtException {
        opts.setIntraOpNumThreads(intraOpThreads);
        opts.setInterOpNumThreads(1);
        opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        opts.setOptimizationLevel(OPTIMIZATION);
        opts.addConfigEntry("session.intra_op.allow_spinning", "0");
        opts.addConfigEntry("session.inter_op.allow_spinning", "0");
    }

    /** The graph optimisation level of every session (ORT's own default, set so that reports can state it). */
    public static final OrtSession.SessionOptions.OptLevel OPTIMIZATION = OrtSession.SessionOptions.OptLevel.ALL_OPT;

    /** ONNX Runtime's version, for reports. */
    public static String version() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    /**
     * Writes the graph ONNX Runtime actually executes for {@code model} (all graph optimisations, as every session
     * here runs) to {@code file}: the evidence of which kernels run, e.g. whether QDQ around a Conv became a
     * QLinearConv. The file may hold contrib operators (com.microsoft domain) and layouts of this machine.
     */
    public static void writeOptimizedModel(byte[] model, Path file) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            configure(opts, 1);
            opts.setOptimizedModelFilePath(file.toString());
            env.createSession(model, opts).close();
        } catch (OrtException e) {
            throw new GanCompressException("ONNX Runtime cannot optimise the model into " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private static Path checkExists(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new GanCompressException("ONNX file " + file + " does not exist");
        }
        return file;
    }

    public Set<String> inputNames() {
        return inputs.keySet();
    }

    public String outputName() {
        return outputName;
    }

    /**
     * One inference. Every model input must be present, with the batch first; int64 inputs take class indices
     * held as floats (which must be whole numbers).
     */
    public Tensor run(Map<String, Tensor> feeds) {
        for (String name : feeds.keySet()) {
            if (!inputs.containsKey(name)) {
                throw new GanCompressException("ONNX model " + source + " has no input '" + name + "'; its inputs are "
                        + inputs.keySet());
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> ortInputs = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, TensorInfo> e : inputs.entrySet()) {
                Tensor t = feeds.get(e.getKey());
                if (t == null) {
                    throw new GanCompressException("ONNX model " + source + ": input '" + e.getKey()
                            + "' was not given");
                }
                ortInputs.put(e.getKey(), toOrt(env, e.getKey(), e.getValue(), t));
            }
            try (OrtSession.Result result = session.run(ortInputs)) {
                return fromOrt(result.get(0));
            }
        } catch (OrtException e) {
            throw new GanCompressException("ONNX Runtime failed on " + source + ": " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : ortInputs.values()) {
                t.close();
            }
        }
    }

    private OnnxTensor toOrt(OrtEnvironment env, String name, TensorInfo info, Tensor t) throws OrtException {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        if (info.type == OnnxJavaType.INT64) {
            float[] data = t.data();
            long[] labels = new long[data.length];
            for (int i = 0; i < data.length; i++) {
                if (data[i] != Math.rint(data[i])) {
                    throw new GanCompressException("ONNX model " + source + ": label input '" + name
                            + "' needs whole class indices, got " + data[i] + " at " + i);
                }
                labels[i] = (long) data[i];
            }
            return OnnxTensor.createTensor(env, LongBuffer.wrap(labels), shape);
        }
        if (info.type == OnnxJavaType.FLOAT16) {
            // A float16 model (an imported teacher exported with .half()): inputs are rounded to float16.
            float[] data = t.data();
            short[] half = new short[data.length];
            for (int i = 0; i < data.length; i++) {
                half[i] = (short) dev.gancompress.model.WeightStorage.Fp16.toHalf(data[i]);
            }
            return OnnxTensor.createTensor(env, java.nio.ShortBuffer.wrap(half), shape, OnnxJavaType.FLOAT16);
        }
        if (info.type != OnnxJavaType.FLOAT) {
            throw new GanCompressException("ONNX model " + source + ": input '" + name + "' is " + info.type
                    + "; only float32, float16 and int64 inputs are supported");
        }
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(t.data()), shape);
    }

    private Tensor fromOrt(OnnxValue value) throws OrtException {
        if (!(value instanceof OnnxTensor tensor) || (tensor.getInfo().type != OnnxJavaType.FLOAT
                && tensor.getInfo().type != OnnxJavaType.FLOAT16)) {
            throw new GanCompressException("ONNX model " + source + ": output '" + outputName
                    + "' is not a float32 tensor");
        }
        long[] shape = tensor.getInfo().getShape();
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = Math.toIntExact(shape[i]);
        }
        FloatBuffer buf = tensor.getFloatBuffer(); // float16 is widened (exactly) by ORT
        float[] data = new float[buf.remaining()];
        buf.get(data);
        return new Tensor(dims, data);
    }

    @Override
    public void close() {
        closeQuietly(session, options);
    }

    private static void closeQuietly(OrtSession s, OrtSession.SessionOptions opts) {
        try {
            if (s != null) {
                s.close();
            }
        } catch (OrtException e) {
            // Closing releases native memory; a failure there leaves nothing the caller can act on.
        } finally {
            opts.close();
        }
    }
}
