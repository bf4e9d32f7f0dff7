package dev.gancompress.nn;

import dev.gancompress.model.Activation;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.WeightSlot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Network#backward(Tensor, Map, boolean)} with gradients injected at intermediate values, the path feature
 * distillation takes. The scalar loss L = sum(r_out * out) + sum over injected values v of sum(r_v * v), with
 * fixed random r, is accumulated in double; its central differences must match the parameter and input
 * gradients of one backward pass. The injected arrays are batch-first while the engine stores values
 * channel-major ([C][N][HW], [F][N] for flat ones), so with batch 3 and several channels any mix-up of the
 * two layouts sends r_v to the wrong elements and shows up as an O(1) error.
 */
class ExtraGradientPathTest {
    private static final int BATCH = 3;
    private static final double TOLERANCE = 1e-3;
    private static final double H = 1e-2;

    /** x [2, 4, 4] -> conv -> tanh "feat" [3, 4, 4] -> strided conv -> flatten -> linear -> tanh "hidden" [6] -> out [3]. */
    private static Model model() {
        Model m = new Model("extra-grad", List.of(Input.image("x", 2, 4, 4)), List.of(
                Node.of("c1", Conv2d.create(2, 3, Kernel2d.square(3, 1, 1), true), "x"),
                Node.of("feat", Activation.tanh(), "c1"),
                Node.of("c2", Conv2d.create(3, 2, Kernel2d.square(3, 2, 1), true), "feat"),
                Node.of("flat", new Reshape(Shape.of(8)), "c2"),
                Node.of("fc", Linear.create(8, 6, true), "flat"),
                Node.of("hidden", Activation.tanh(), "fc"),
                Node.of("out", Linear.create(6, 3, true), "hidden")), "out", Map.of());
        SplittableRandom rnd = new SplittableRandom(3);
        for (Node n : m.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                float[] d = slot.weights().data();
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (rnd.nextDouble() * 2 - 1) * 0.6f;
                }
            }
        }
        return m;
    }

    private static float[] random(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            r[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return r;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static double loss(Network net, Map<String, Tensor> inputs, float[] rOut, Map<String, float[]> rValues) {
        double s = dot(net.forward(inputs, false).data(), rOut);
        for (Map.Entry<String, float[]> e : rValues.entrySet()) {
            s += dot(net.value(e.getKey()).data(), e.getValue());
        }
        return s;
    }

    private static double relativeError(float[] analytic, double[] numeric) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < numeric.length; i++) {
            diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            norm += numeric[i] * numeric[i];
        }
        return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-6);
    }

    private static double[] centralDifferences(Network net, Map<String, Tensor> inputs, float[] rOut,
                                               Map<String, float[]> rValues, float[] x) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            float orig = x[i];
            float plus = (float) (orig + H);
            float minus = (float) (orig - H);
            x[i] = plus;
            double lp = loss(net, inputs, rOut, rValues);
            x[i] = minus;
            double lm = loss(net, inputs, rOut, rValues);
            x[i] = orig;
            g[i] = (lp - lm) / ((double) plus - minus);
        }
        return g;
    }

    /** Checks every parameter and the input gradient for injections {@code rValues}; returns the errors by name. */
    private static Map<String, Double> check(Map<String, float[]> rValues) {
        Model model = model();
        Network net = new Network(model);
        Map<String, Tensor> inputs = Map.of("x", new Tensor(new int[] {BATCH, 2, 4, 4}, random(BATCH * 32, 5)));
        Tensor out = net.forward(inputs, false);
        float[] rOut = random(out.data().length, 7);
        net.zeroGradients();
        net.backward(new Tensor(out.shape(), rOut), rValues, true);
        float[] inputGrad = net.inputGradient("x").data().clone();
        List<float[]> paramGrads = new ArrayList<>();
        for (Parameter p : net.parameters()) {
            paramGrads.add(p.grad().clone());
        }
        Map<String, Double> errors = new LinkedHashMap<>();
        for (int k = 0; k < net.parameters().size(); k++) {
            Parameter p = net.parameters().get(k);
            errors.put(p.name(), relativeError(paramGrads.get(k),
                    centralDifferences(net, inputs, rOut, rValues, p.weights().data())));
        }
        errors.put("x", relativeError(inputGrad, centralDifferences(net, inputs, rOut, rValues,
                inputs.get("x").data())));
        return errors;
    }

    private static Map<String, float[]> injections(String... names) {
        Model m = model();
        Map<String, float[]> map = new LinkedHashMap<>();
        long seed = 11;
        for (String name : names) {
            map.put(name, random(m.shape(name).size() * BATCH, seed++));
        }
        return map;
    }

    @Test
    void gradientInjectedAtAnImageShapedValue() {
        Map<String, Double> errors = check(injections("feat"));
        assertThat(errors).allSatisfy((name, e) -> assertThat(e).as(name).isLessThan(TOLERANCE));
    }

    @Test
    void gradientInjectedAtAFlatValue() {
        Map<String, Double> errors = check(injections("hidden"));
        assertThat(errors).allSatisfy((name, e) -> assertThat(e).as(name).isLessThan(TOLERANCE));
    }

    @Test
    void gradientsInjectedAtSeveralValuesIncludingTheOutputAddUp() {
        // an injection at the output adds to the output gradient (kd_perceptual at the evaluator's last layer)
        Map<String, Double> errors = check(injections("c1", "feat", "hidden", "out"));
        assertThat(errors).allSatisfy((name, e) -> assertThat(e).as(name).isLessThan(TOLERANCE));
    }

    @Test
    void injectionsThatCannotBePlacedAreRejectedByName() {
        Network net = new Network(model());
        Tensor out = net.forward(Map.of("x", Tensor.zeros(BATCH, 2, 4, 4)), false);
        Tensor gradOut = Tensor.zeros(out.shape());
        assertThatThrownBy(() -> net.backward(gradOut, Map.of("nope", new float[3]), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nope'");
        assertThatThrownBy(() -> net.backward(gradOut, Map.of("feat", new float[3 * 16]), true))
                .as("one sample's worth instead of the batch's").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'feat'");
    }
}
