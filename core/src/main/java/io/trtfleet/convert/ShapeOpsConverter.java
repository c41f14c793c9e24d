package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Shape arithmetic and slicing, computed in TensorFlow's dimension order: Shape, StridedSlice, Slice,
 * Pack, Unpack, Split, SplitV, GatherV2, Tile, Fill, Cast. Shape of an NCHW activation reads the NCHW
 * shape and permutes the 4 values (no data Transpose); the others read tensors as is.
 */
final class ShapeOpsConverter implements OpConverter {

  static final Set<String> OPS = Set.of("Shape", "StridedSlice", "Slice", "Pack", "Unpack", "Split", "SplitV",
      "GatherV2", "Tile", "Fill", "Cast");

  private static final long END = Long.MAX_VALUE;

  @Override
  public void convert(Node node, ConversionContext ctx) {
    String name = TensorRef.of(node.name(), 0).tensorName();
    OnnxGraphBuilder onnx = ctx.onnx;
    switch (node.op()) {
      case "Shape" -> {
        TensorValue x = ctx.in(node, 0);
        String shape;
        if (x.layout() == Layout.NCHW && !x.isConstant()) {
          String nchw = onnx.node("Shape", List.of(ctx.view(x, Layout.NCHW)), name + "_nchw");
          shape = onnx.node("Gather", List.of(nchw, onnx.int64s(node.name() + "/perm", Layout.TO_NHWC)), name,
              OnnxGraphBuilder.attr("axis", 0L));
        } else {
          shape = onnx.node("Shape", List.of(ctx.view(x, Layout.AS_IS)), name);
        }
        ctx.define(node, 0, shape, Layout.AS_IS, OnnxDataType.INT64);
      }
      case "Cast" -> {
        TensorValue x = ctx.in(node, 0);
        int to = OnnxDataType.of(node.output(0).dtype());
        if (to < 0) {
          throw new UnsupportedNodeException(node, "cast to " + node.output(0).dtypeName());
        }
        int type = OnnxDataType.isFloat(to) && to != OnnxDataType.DOUBLE ? ctx.floatType() : to;
        Layout layout = x.isConstant() ? Layout.AS_IS : x.layout();
        String in = ctx.view(x, layout);
        ctx.define(node, 0, onnx.node("Cast", List.of(in), name, OnnxGraphBuilder.attr("to", (long) type)), layout, type);
      }
      case "StridedSlice" -> stridedSlice(node, ctx, name);
      case "Slice" -> {
        TensorValue x = ctx.in(node, 0);
        long[] begin = ctx.constantInput(node, 1, "begin").longs();
        long[] size = ctx.constantInput(node, 2, "size").longs();
        long[] ends = new long[size.length];
        long[] axes = new long[size.length];
        for (int i = 0; i < size.length; i++) {
          ends[i] = size[i] < 0 ? END : begin[i] + size[i];
          axes[i] = i;
        }
        String out = onnx.node("Slice", List.of(ctx.view(x, Layout.AS_IS), onnx.int64s(node.name() + "/starts", begin),
            onnx.int64s(node.name() + "/ends", ends), onnx.int64s(node.name() + "/axes", axes)), name);
        ctx.define(node, 0, out, Layout.AS_IS, ctx.computeType(x));
      }
      case "Pack" -> {
        long axis = node.intAttr("axis", 0);
        int rank = node.output(0).rank();
        long a = axis < 0 ? axis + rank : axis;
        int n = node.dataInputs().size();
        int type = ctx.computeType(ctx.in(node, 0));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String v = ctx.view(ctx.in(node, i), Layout.AS_IS, type);
          parts.add(onnx.node("Unsqueeze", List.of(v, onnx.int64s(node.name() + "/axes", a)), name + "_part" + i));
        }
        ctx.define(node, 0, onnx.node("Concat", parts, name, OnnxGraphBuilder.attr("axis", a)), Layout.AS_IS, type);
      }
      case "Unpack" -> {
        TensorValue x = ctx.in(node, 0);
        long axis = node.intAttr("axis", 0);
        long a = axis < 0 ? axis + x.rank() : axis;
        int n = (int) node.intAttr("num", node.outputs().size());
        List<String> outs = split(node, ctx, x, a, ones(n));
        for (int i = 0; i < n; i++) {
          String sq = onnx.node("Squeeze", List.of(outs.get(i), onnx.int64s(node.name() + "/axes", a)),
              TensorRef.of(node.name(), i).tensorName());
          ctx.define(node, i, sq, Layout.AS_IS, ctx.computeType(x));
        }
      }
      case "Split", "SplitV" -> {
        boolean v = node.op().equals("SplitV");
        TensorValue x = ctx.in(node, v ? 0 : 1);
        long axis = ctx.constantInput(node, v ? 2 : 0, "axis").longs()[0];
        long a = axis < 0 ? axis + x.rank() : axis;
        long dim = x.shape()[(int) a];
        long[] sizes;
        if (v) {
          sizes = ctx.constantInput(node, 1, "size_splits").longs();
          long known = 0;
          int unknown = -1;
          for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 0) {
              unknown = i;
            } else {
              known += sizes[i];
            }
          }
          if (unknown >= 0) {
            if (dim < 0) {
              throw new UnsupportedNodeException(node, "split size -1 along an unknown dimension");
            }
            sizes[unknown] = dim - known;
          }
        } else {
          int n = (int) node.intAttr("num_split", 1);
          if (dim < 0) {
            throw new UnsupportedNodeException(node, "split along an unknown dimension");
          }
          sizes = new long[n];
          java.util.Arrays.fill(sizes, dim / n);
        }
        List<String> outs = split(node, ctx, x, a, sizes);
        for (int i = 0; i < outs.size(); i++) {
          ctx.define(node, i, outs.get(i), Layout.AS_IS, ctx.computeType(x));
        }
      }
      case "GatherV2" -> {
        if (node.intAttr("batch_dims", 0) != 0) {
          throw new UnsupportedNodeException(node, "batch_dims " + node.intAttr("batch_dims", 0));
        }
        TensorValue params = ctx.in(node, 0);
        TensorValue indices = ctx.in(node, 1);
        long axis = ctx.constantInput(node, 2, "axis").longs()[0];
        String out = onnx.node("Gather", List.of(ctx.view(params, Layout.AS_IS), ctx.view(indices, Layout.AS_IS)), name,
            OnnxGraphBuilder.attr("axis", axis));
        ctx.define(node, 0, out, Layout.AS_IS, ctx.computeType(params));
      }
      case "Tile" -> {
        TensorValue x = ctx.in(node, 0);
        String out = onnx.node("Tile", List.of(ctx.view(x, Layout.AS_IS),
            ctx.view(ctx.in(node, 1), Layout.AS_IS, OnnxDataType.INT64)), name);
        ctx.define(node, 0, out, Layout.AS_IS, ctx.computeType(x));
      }
      case "Fill" -> {
        TensorValue value = ctx.in(node, 1);
        int type = ctx.computeType(value);
        String out = onnx.node("Expand", List.of(ctx.view(value, Layout.AS_IS, type),
            ctx.view(ctx.in(node, 0), Layout.AS_IS, OnnxDataType.INT64)), name);
        ctx.define(node, 0, out, Layout.AS_IS, type);
      }
      default -> throw new UnsupportedNodeException(node, "not a shape op");
    }
  }

  private static long[] ones(int n) {
    long[] s = new long[n];
    java.util.Arrays.fill(s, 1);
    return s;
  }

  private static List<String> split(Node node, ConversionContext ctx, TensorValue x, long axis, long[] sizes) {
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      outs.add(ctx.onnx.uniqueName(TensorRef.of(node.name(), i).tensorName()));
    }
    ctx.onnx.nodeWithOutputs("Split", List.of(ctx.view(x, Layout.AS_IS), ctx.onnx.int64s(node.name() + "/split", sizes)),
        outs, OnnxGraphBuilder.attr("axis", axis));
    return outs;
  }

  /** StridedSlice with constant begin/end/strides; ellipsis and new-axis masks are not supported. */
  private static void stridedSlice(Node node, ConversionContext ctx, String name) {
    if (node.intAttr("ellipsis_mask", 0) != 0 || node.intAttr("new_axis_mask", 0) != 0) {
      throw new UnsupportedNodeException(node, "ellipsis_mask/new_axis_mask");
    }
    TensorValue x = ctx.in(node, 0);
    long[] begin = ctx.constantInput(node, 1, "begin").longs();
    long[] end = ctx.constantInput(node, 2, "end").longs();
    long[] strides = ctx.constantInput(node, 3, "strides").longs();
    long beginMask = node.intAttr("begin_mask", 0);
    long endMask = node.intAttr("end_mask", 0);
    long shrink = node.intAttr("shrink_axis_mask", 0);
    int n = begin.length;
    long[] starts = new long[n];
    long[] ends = new long[n];
    long[] axes = new long[n];
    List<Long> squeeze = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean forward = strides[i] > 0;
      axes[i] = i;
      starts[i] = (beginMask >> i & 1) != 0 ? (forward ? 0 : END) : begin[i];
      ends[i] = (endMask >> i & 1) != 0 ? (forward ? END : Long.MIN_VALUE) : end[i];
      if ((shrink >> i & 1) != 0) {
        // One element at begin: end = begin + 1 (begin = -1 means the last: end to the end).
        ends[i] = begin[i] == -1 ? END : begin[i] + 1;
        starts[i] = begin[i];
        strides[i] = 1;
        squeeze.add((long) i);
      }
    }
    OnnxGraphBuilder onnx = ctx.onnx;
    String out = onnx.node("Slice", List.of(ctx.view(x, Layout.AS_IS), onnx.int64s(node.name() + "/starts", starts),
        onnx.int64s(node.name() + "/ends", ends), onnx.int64s(node.name() + "/axes", axes),
        onnx.int64s(node.name() + "/steps", strides)), squeeze.isEmpty() ? name : name + "_slice");
    if (!squeeze.isEmpty()) {
      out = onnx.node("Squeeze", List.of(out, onnx.int64s(node.name() + "/squeeze",
          squeeze.stream().mapToLong(Long::longValue).toArray())), name);
    }
    ctx.define(node, 0, out, Layout.AS_IS, ctx.computeType(x));
  }
}
