package io.trtfleet.convert;

import io.trtfleet.Precision;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.onnx.OnnxGraphBuilder;
import io.trtfleet.quantize.CalibrationTable;
import java.util.Set;

/**
 * What a converter works with while one segment is converted: the frozen graph, the ONNX graph being
 * built, and the parts that each do one job: {@link ValueTable} (which ONNX values hold which tensor),
 * {@link Views} (layouts and element types), {@link Int8Quantizer} (Q/DQ), {@link SegmentScope} (what
 * a fusion may absorb), {@link ConversionNotes} (the report's notes) and {@link SegmentConstants}
 * (constant folding). The most used calls are forwarded here so converters read briefly.
 */
final class ConversionContext implements AutoCloseable {

  final FrozenGraph graph;
  final OnnxGraphBuilder onnx;
  final ValueTable values;
  final Views views;
  final Int8Quantizer int8;
  final SegmentScope scope;
  final ConversionNotes notes;
  final SegmentConstants constants;
  private final Precision precision;

  ConversionContext(FrozenGraph graph, OnnxGraphBuilder onnx, Precision precision,
      CalibrationTable calibration, Set<String> segmentNodes, Set<String> segmentOutputs) {
    this.graph = graph;
    this.onnx = onnx;
    this.precision = precision;
    this.values = new ValueTable(graph);
    this.views = new Views(onnx, precision);
    this.int8 = new Int8Quantizer(graph, onnx, views, precision, calibration);
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

  /** An activation as a layer reads it: with Q/DQ under an INT8 policy (see {@link Int8Quantizer}). */
  String activation(TensorValue v, Layout layout, Node reader) {
    return int8.activation(v, layout, reader);
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
