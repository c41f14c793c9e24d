package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import java.util.ArrayList;
import java.util.List;

/** What the conversion report tells besides the ONNX ops: nodes folded into others, and notes. */
final class ConversionNotes {

  private final boolean half;
  /** {@code node -> into}, {@code node -> constant}. */
  final List<String> folded = new ArrayList<>();
  final List<String> notes = new ArrayList<>();

  /** @param half true when float tensors are FP16 between layers (FP32 nodes are then worth a note) */
  ConversionNotes(boolean half) {
    this.half = half;
  }

  void folded(String node, String into) {
    folded.add(node + " -> " + into);
  }

  void note(String text) {
    if (!notes.contains(text)) {
      notes.add(text);
    }
  }

  /** Records that a node runs in FP32 although the policy's float type is FP16. */
  void keptInFp32(Node node, String why) {
    if (half) {
      note(node.op() + " kept in FP32 (" + why + ")");
    }
  }
}
