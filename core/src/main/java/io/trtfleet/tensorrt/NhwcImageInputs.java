package io.trtfleet.tensorrt;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.bytedeco.tensorrt.global.nvinfer.DataType;
import org.bytedeco.tensorrt.global.nvinfer.LayerType;
import org.bytedeco.tensorrt.global.nvinfer.TensorFormat;
import org.bytedeco.tensorrt.nvinfer.ILayer;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IShuffleLayer;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvinfer.Permutation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds NHWC images NCHW ({@link ImageBinding}). The converter turns a TensorFlow NHWC input into NCHW
 * with a Transpose (after a Cast under FP16/INT8), and TensorRT runs that as passes of its own over the
 * whole batch before the first convolution's input reformat: 3% of ResNet-50's FP16 throughput on an H200
 * (docs/benchmarks/gpu.md). Here such an input is re-declared NCHW and the Transpose becomes a no-op:
 * {@link ImageBinding#CHANNEL_LAST} keeps the NHWC bytes under TensorRT's {@code kHWC} format, so the
 * only pass left is that reformat; {@link ImageBinding#NCHW} takes NCHW bytes, as an NCHW model would.
 * The binding's dimensions are NCHW either way ({@link EngineRunner} maps TensorFlow shapes).
 */
final class NhwcImageInputs {

  private static final Logger LOG = LoggerFactory.getLogger(NhwcImageInputs.class);

  /** NHWC to NCHW: output dimension {@code i} is input dimension {@code ORDER[i]}. */
  private static final int[] ORDER = {0, 3, 1, 2};

  /** Entries in a TensorRT Permutation (nvinfer1::Dims::MAX_DIMS). */
  private static final int MAX_DIMS = 8;

  private NhwcImageInputs() {}

  /**
   * Binds, as {@code binding} says, every FP32 rank-4 input read only by an NHWC-to-NCHW transpose; returns
   * their names and logs, for every other input, why it was left as it is.
   */
  static Set<String> apply(INetworkDefinition network, ImageBinding binding) {
    Set<String> rewritten = new LinkedHashSet<>();
    if (binding == ImageBinding.AS_SHAPED) {
      return rewritten;
    }
    for (int i = 0; i < network.getNbInputs(); i++) {
      ITensor in = network.getInput(i);
      String name = in.getName();
      String skipped = rewrite(network, in, binding);
      if (skipped == null) {
        rewritten.add(name);
      } else {
        LOG.info("input {} stays as it is: {}", name, skipped);
      }
    }
    return rewritten;
  }

  /** Null when {@code in} was rewritten, else why not. */
  private static String rewrite(INetworkDefinition network, ITensor in, ImageBinding binding) {
    long[] nhwc = EngineBuilder.dims(in.getDimensions());
    // JavaCPP returns TensorRT enums as new objects carrying the value: compare values, never identities.
    if (nhwc.length != 4 || in.getType().value != DataType.kFLOAT.value) {
      return "not a rank-4 FP32 tensor (" + Arrays.toString(nhwc) + ", TensorRT type " + in.getType().value + ")";
    }
    ILayer first = soleReader(network, in);
    if (first == null) {
      return "not read by exactly one layer";
    }
    int type = first.getType().value;
    boolean cast = type == LayerType.kCAST.value || type == LayerType.kIDENTITY.value;
    ILayer shuffle = cast ? soleReader(network, first.getOutput(0)) : first;
    String transpose = shuffle == null ? "its cast is not read by exactly one layer" : nhwcToNchw(shuffle, nhwc);
    if (transpose != null) {
      return transpose;
    }
    // Re-declared in place, not replaced: removing the old input left TensorRT 10.6 a dangling tensor (checkLinks).
    in.setDimensions(EngineBuilder.dims(nchw(nhwc)));
    if (binding == ImageBinding.CHANNEL_LAST) {
      in.setAllowedFormats(1 << TensorFormat.kHWC.value);
    }
    // Its reader already gets NCHW: the transpose becomes a no-op shuffle, which the builder removes.
    Permutation identity = new Permutation();
    for (int i = 0; i < MAX_DIMS; i++) {
      identity.order(i, i);
    }
    new IShuffleLayer(shuffle).setFirstTranspose(identity);
    return null;
  }

  /** Null when {@code layer} is exactly the NHWC-to-NCHW transpose of a tensor shaped {@code nhwc}, else why not. */
  private static String nhwcToNchw(ILayer layer, long[] nhwc) {
    if (layer.getType().value != LayerType.kSHUFFLE.value) {
      return "read by a layer of TensorRT type " + layer.getType().value + ", not a transpose";
    }
    IShuffleLayer shuffle = new IShuffleLayer(layer);
    for (int j = 1; j < shuffle.getNbInputs(); j++) {
      ITensor dynamicShape = shuffle.getInput(j);
      if (dynamicShape != null && !dynamicShape.isNull()) {
        return "its shuffle reshapes to a computed shape";
      }
    }
    if (shuffle.getOutput(0).isNetworkOutput()) {
      return "its transpose is a network output";
    }
    int[] first = new int[4];
    int[] second = new int[4];
    for (int i = 0; i < 4; i++) {
      first[i] = shuffle.getFirstTranspose().order(i);
      second[i] = shuffle.getSecondTranspose().order(i);
    }
    long[] out = EngineBuilder.dims(shuffle.getOutput(0).getDimensions());
    // Transposed as NHWC to NCHW and shaped as that transpose: a reshape in between keeps the dimensions.
    if (!Arrays.equals(first, ORDER) || !Arrays.equals(second, new int[] {0, 1, 2, 3}) || !Arrays.equals(out, nchw(nhwc))) {
      return "its shuffle is not the NHWC-to-NCHW transpose (first " + Arrays.toString(first) + ", second "
          + Arrays.toString(second) + ", output " + Arrays.toString(out) + ")";
    }
    return null;
  }

  /** The one layer reading {@code tensor}, or null when none or several do. */
  private static ILayer soleReader(INetworkDefinition network, ITensor tensor) {
    ILayer reader = null;
    for (int l = 0; l < network.getNbLayers(); l++) {
      ILayer layer = network.getLayer(l);
      for (int j = 0; j < layer.getNbInputs(); j++) {
        if (same(layer.getInput(j), tensor)) {
          if (reader != null && reader.address() != layer.address()) {
            return null;
          }
          reader = layer;
        }
      }
    }
    return reader;
  }

  private static boolean same(ITensor a, ITensor b) {
    return a != null && !a.isNull() && a.address() == b.address();
  }

  /** NHWC dimensions in NCHW order. */
  static long[] nchw(long[] nhwc) {
    long[] out = new long[4];
    for (int i = 0; i < 4; i++) {
      out[i] = nhwc[ORDER[i]];
    }
    return out;
  }
}
