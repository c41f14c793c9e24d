package io.trtfleet.verify;

import com.google.protobuf.ByteString;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The features a {@code ParseExample}/{@code ParseExampleV2} node reads (its keys, dtypes and dense
 * shapes), and serialized {@code tf.Example}s that hold a random value for each: what a model whose
 * serving signature takes serialized Examples is fed by {@link RandomInputs}.
 */
final class ExampleFeatures {

  /** One feature: its key, dtype, values per example and the parse output that carries it. */
  record Spec(String key, DataType dtype, int count, TensorRef output) {}

  private final List<Spec> specs;
  private final List<ValueHints.Hint> hints;

  private ExampleFeatures(List<Spec> specs, List<ValueHints.Hint> hints) {
    this.specs = List.copyOf(specs);
    this.hints = List.copyOf(hints);
  }

  /** The features of a parsing node; null when the node parses no Examples. */
  static ExampleFeatures of(FrozenGraph graph, Node parse, ValueHints valueHints) {
    List<Spec> specs = new ArrayList<>();
    List<TensorRef> in = parse.dataInputs();
    switch (parse.op()) {
      case "ParseExampleV2" -> {
        int sparse = (int) parse.intAttr("num_sparse", 0);
        List<String> sparseKeys = strings(graph, in.get(2));
        List<String> denseKeys = strings(graph, in.get(3));
        List<DataType> sparseTypes = parse.attr("sparse_types").map(a -> a.getList().getTypeList()).orElse(List.of());
        addSparse(specs, parse, sparseKeys, sparseTypes, sparse);
        addDense(specs, parse, denseKeys, 3 * sparse);
      }
      case "ParseExample" -> {
        int sparse = (int) parse.intAttr("Nsparse", 0);
        int dense = (int) parse.intAttr("Ndense", 0);
        List<String> sparseKeys = new ArrayList<>();
        List<String> denseKeys = new ArrayList<>();
        for (int i = 0; i < sparse; i++) {
          sparseKeys.addAll(strings(graph, in.get(2 + i)));
        }
        for (int i = 0; i < dense; i++) {
          denseKeys.addAll(strings(graph, in.get(2 + sparse + i)));
        }
        List<DataType> sparseTypes = parse.attr("sparse_types").map(a -> a.getList().getTypeList()).orElse(List.of());
        addSparse(specs, parse, sparseKeys, sparseTypes, sparse);
        addDense(specs, parse, denseKeys, 3 * sparse);
      }
      default -> {
        return null;
      }
    }
    List<ValueHints.Hint> hints = specs.stream().map(s -> valueHints.of(s.output())).toList();
    return new ExampleFeatures(specs, hints);
  }

  private static void addSparse(List<Spec> specs, Node parse, List<String> keys, List<DataType> types, int count) {
    for (int i = 0; i < count && i < keys.size() && i < types.size(); i++) {
      specs.add(new Spec(keys.get(i), types.get(i), 1, TensorRef.of(parse.name(), count + i)));
    }
  }

  private static void addDense(List<Spec> specs, Node parse, List<String> keys, int firstOutput) {
    List<DataType> types = parse.attr("Tdense").map(a -> a.getList().getTypeList()).orElse(List.of());
    List<TensorShapeProto> shapes = parse.attr("dense_shapes").map(a -> a.getList().getShapeList()).orElse(List.of());
    for (int i = 0; i < keys.size() && i < types.size(); i++) {
      int count = 1;
      if (i < shapes.size()) {
        for (TensorShapeProto.Dim d : shapes.get(i).getDimList()) {
          count *= d.getSize() > 0 ? (int) d.getSize() : 1;
        }
      }
      specs.add(new Spec(keys.get(i), types.get(i), count, TensorRef.of(parse.name(), firstOutput + i)));
    }
  }

  private static List<String> strings(FrozenGraph graph, TensorRef ref) {
    return graph.node(ref.node()).attr("value").map(v -> v.getTensor().getStringValList().stream()
        .map(ByteString::toStringUtf8).toList()).orElse(List.of());
  }

  List<Spec> specs() {
    return specs;
  }

  /** One serialized Example with every feature. */
  byte[] example(Random random) {
    Features.Builder features = Features.newBuilder();
    for (int i = 0; i < specs.size(); i++) {
      Spec s = specs.get(i);
      ValueHints.Hint hint = hints.get(i);
      Feature.Builder f = Feature.newBuilder();
      switch (s.dtype()) {
        case DT_FLOAT -> {
          FloatList.Builder l = FloatList.newBuilder();
          for (int k = 0; k < s.count(); k++) {
            l.addValue(hint.indexBound() > 0 ? random.nextInt((int) Math.min(hint.indexBound(), Integer.MAX_VALUE))
                : random.nextFloat());
          }
          f.setFloatList(l);
        }
        case DT_INT64 -> {
          Int64List.Builder l = Int64List.newBuilder();
          for (int k = 0; k < s.count(); k++) {
            l.addValue(RandomValues.integer(random, hint));
          }
          f.setInt64List(l);
        }
        default -> {
          BytesList.Builder l = BytesList.newBuilder();
          for (int k = 0; k < s.count(); k++) {
            l.addValue(ByteString.copyFrom(RandomValues.text(random, hint)));
          }
          f.setBytesList(l);
        }
      }
      features.putFeature(s.key(), f.build());
    }
    return Example.newBuilder().setFeatures(features).build().toByteArray();
  }
}
