package io.trtfleet.tensorrt;

import io.trtfleet.graph.HostTensor;
import io.trtfleet.onnx.Half;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.proto.DataType;

/**
 * What a benchmark feeds an engine: floating-point inputs get values uniform in [-1, 1) from a fixed
 * seed, as trtexec does by default, not zeros. A GPU's power draw, and so its clock under load, depends
 * on the bits its tensor cores switch; all-zero images also make every activation of a network constant.
 * Integer and boolean inputs are left to the caller: zero is always a valid index or mask.
 */
final class BenchmarkInput {

  /** Elements per chunk: each chunk has its own random stream, so the input is built piece by piece. */
  static final int CHUNK = 1 << 20;

  private BenchmarkInput() {}

  /** {@code elements} FP32 or FP16 values in native (off-heap) memory, little-endian, ready to copy. */
  static BytePointer of(DataType type, long elements, long seed) {
    int size = HostTensor.byteSize(type);
    BytePointer host = new BytePointer(elements * size);
    for (long from = 0; from < elements; from += CHUNK) {
      byte[] values = chunk(type, seed, from / CHUNK, (int) Math.min(CHUNK, elements - from));
      host.position(from * size).put(values, 0, values.length);
    }
    return host.position(0);
  }

  /** Chunk {@code index} of the input ({@code count} values), the same for the same seed and index. */
  static byte[] chunk(DataType type, long seed, long index, int count) {
    if (type != DataType.DT_FLOAT && type != DataType.DT_HALF) {
      throw new IllegalArgumentException("random benchmark input is floating point, not " + type);
    }
    int size = HostTensor.byteSize(type);
    SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + index);
    byte[] out = new byte[count * size];
    for (int i = 0; i < count; i++) {
      float v = (float) (rnd.nextDouble() * 2 - 1);
      int bits = type == DataType.DT_FLOAT ? Float.floatToRawIntBits(v) : Half.fromFloat(v);
      for (int b = 0; b < size; b++) {
        out[i * size + b] = (byte) (bits >>> (8 * b));
      }
    }
    return out;
  }
}
