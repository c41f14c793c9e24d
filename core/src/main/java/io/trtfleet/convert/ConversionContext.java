package io.trtfleet.convert;

import io.trtfleet.Precision;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.Set;

/**
 * What a converter works with while one segment is converted: the frozen graph, the ONNX graph being
 * built, and the parts that each do one job: {@link ValueTable} (which ONNX values hold which tensor),
 * {@link Views} (layouts and element types), {@link Quantizer} (Q/DQ), {@link SegmentScope} (what
 * a fusion may absorb), {@link ConversionNotes} (the report's notes) and {@link SegmentConstants}
 * (constant folding). The most used calls are forwarded here so converters read briefly.
 */
final class ConversionContext implements AutoCloseable {

  final FrozenGraph graph;
  final OnnxGraphBuilder onnx;
  final ValueTable values;
  final Views views;
  final Quantizer quantizer;
  final SegmentScope scope;
  final ConversionNotes notes;
  final SegmentConstants constants;
  private final Precision precision;

  ConversionContext(FrozenGraph graph, OnnxGraphBuilder onnx, ConversionOptions options, Set<String> segmentNodes,
      Set<String> segmentOutputs) {
    this.graph = graph;
    this.onnx = onnx;
    this.precision = options.precision();
    this.values = new ValueTable(graph);
    this.views = new Views(onnx, precision);
    this.quantizer = new Quantizer(graph, onnx, views, options);
    this.scope = new SegmentScope(graph, segmentNodes, segmentOutputs);
    this.notes = new ConversionNotes(precision.halfBetweenLayers());
    this.constants = new SegmentConstants(graph, values, notes);
  }

  Precision precision() {
    return precision;
  }

  /** Data input {@code i} of a node. */
  TensorValue in(Node node, int i) {
    return values.in(node, i);
  }

  Constant constantInput(Node node, int i, String what) {
    return values.constantInput(node, i, what);
  }

  /** Records that output {@code index} of {@code node} is held by ONNX value {@code onnxName}. */
  void define(Node node, int index, String onnxName, Layout layout, int elemType) {
    values.define(node, index, onnxName, layout, elemType);
  }

  int floatType() {
    return views.floatType();
  }

  int computeType(TensorValue v) {
    return views.computeType(v);
  }

  String view(TensorValue v, Layout layout) {
    return views.view(v, layout);
  }

  String view(TensorValue v, Layout layout, int elemType) {
    return views.view(v, layout, elemType);
  }

  /** An activation as a layer reads it: with Q/DQ under a quantized policy (see {@link Quantizer}). */
  String activation(TensorValue v, Layout layout, Node reader) {
    return quantizer.activation(v, layout, reader);
  }

  /** Marks {@code node} as converted by {@code into}'s converter. */
  void absorb(Node node, String into) {
    scope.absorb(node);
    notes.folded(node.name(), into);
  }

  @Override
  public void close() {
    constants.close();
  }
}
