package io.trtfleet.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The official ONNX checker (onnx::checker::check_model of ONNX 1.17, through the bytedeco presets)
 * with full_check, which also runs strict ONNX shape inference over the model.
 */
public final class OnnxChecker {

  private OnnxChecker() {}

  /** @throws AssertionError with the checker's message when the model is not valid ONNX */
  public static void check(byte[] model) {
    Path file = null;
    try {
      file = Files.createTempFile("trtfleet-check", ".onnx");
      Files.write(file, model);
      org.bytedeco.onnx.global.onnx.check_model(file.toString(), true, false, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw new AssertionError("ONNX checker rejects the model: " + e.getMessage(), e);
    } finally {
      if (file != null) {
        file.toFile().delete();
      }
    }
  }
}
