package dev.gancompress.compress.lowrank;

import dev.gancompress.model.Node;

/** A layer selected for factorisation: its node, how it would be decomposed, and its MACs now. */
record LayerCandidate(Node node, LayerDecomposition decomposition, long macsBefore) {
    String op() {
        return LayerDecomposition.describeLayer(node.layer());
    }

    /** The factored layer (runs the SVDs). */
    Factored factor() {
        return new Factored(this, decomposition.factor());
    }

    record Factored(LayerCandidate candidate, LayerDecomposition.Factors factors) {
    }
}
