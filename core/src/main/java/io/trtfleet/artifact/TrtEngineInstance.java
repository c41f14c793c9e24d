package io.trtfleet.artifact;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.trtfleet.graph.TensorSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.TensorShapeProto;

/**
 * TF-TRT's {@code tensorflow.tensorrt.TRTEngineInstance} (utils/trt_engine_instance.proto):
 * {@code repeated TensorShapeProto input_shapes = 1; bytes serialized_engine = 2;}. Hand-encoded
 * because the .proto imports TensorFlow's tensor_shape.proto, which TF Java ships compiled only.
 * The input shapes are the engine-cache key TF-TRT restores the engine under.
 */
public record TrtEngineInstance(List<long[]> inputShapes, byte[] serializedEngine) {

  static final int INPUT_SHAPES = 1;
  static final int SERIALIZED_ENGINE = 2;

  public TrtEngineInstance {
    inputShapes = inputShapes.stream().map(long[]::clone).toList();
    serializedEngine = serializedEngine.clone();
  }

  @Override
  public byte[] serializedEngine() {
    return serializedEngine.clone();
  }

  public byte[] toByteArray() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(serializedEngine.length + 64);
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      for (long[] shape : inputShapes) {
        out.writeMessage(INPUT_SHAPES, TensorSpec.toProto(shape));
      }
      if (serializedEngine.length > 0) { // proto3: an empty bytes field is not written
        out.writeByteArray(SERIALIZED_ENGINE, serializedEngine);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("encoding to memory cannot fail", e);
    }
  }

  /** Decodes the message (unknown fields skipped, as protobuf does). */
  public static TrtEngineInstance parseFrom(byte[] message) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(message);
    List<long[]> shapes = new ArrayList<>();
    byte[] engine = new byte[0];
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      if (field == INPUT_SHAPES && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        shapes.add(TensorSpec.dims(TensorShapeProto.parseFrom(in.readBytes())));
      } else if (field == SERIALIZED_ENGINE && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        engine = in.readByteArray();
      } else {
        in.skipField(tag);
      }
    }
    return new TrtEngineInstance(shapes, engine);
  }
}
