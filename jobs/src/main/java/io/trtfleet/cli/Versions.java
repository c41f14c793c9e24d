package io.trtfleet.cli;

import io.trtfleet.Messages;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorrt.global.nvinfer;

/**
 * {@code trtfleet --version}: trtfleet's version and, for each library it runs on, the version this
 * build was made for (versions.properties, filled in by Maven) and the one actually found here.
 */
final class Versions {

  static final String RESOURCE = "versions.properties";

  private Versions() {}

  static Properties builtFor() {
    Properties p = new Properties();
    try (InputStream in = Versions.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the build of trtfleet");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  static List<String> lines() {
    Properties p = builtFor();
    String preset = p.getProperty("tensorrt-preset");
    List<String> out = new ArrayList<>();
    out.add("trtfleet " + p.getProperty("trtfleet"));
    out.add("  TensorFlow    " + found(() -> org.tensorflow.TensorFlow.version())
        + " (TensorFlow Java " + p.getProperty("tensorflow-java") + ")");
    out.add("  TensorRT      built for " + preset.substring(0, preset.indexOf('-')) + " (bytedeco preset " + preset
        + "), found: " + tensorRtFound());
    String spark = org.apache.spark.SparkContext.class.getPackage().getImplementationVersion();
    out.add("  Spark         " + (spark == null ? "unknown" : spark)
        + (p.getProperty("spark").equals(spark) ? "" : " (built for " + p.getProperty("spark") + ")"));
    out.add("  ONNX Runtime  " + found(() -> ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion())
        + " (built for " + p.getProperty("onnxruntime") + ")");
    out.add("  Java          " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
    return out;
  }

  /** The TensorRT library this machine loads (libnvinfer), or "not found" with the loader's reason. */
  static String tensorRtFound() {
    return found(() -> {
      Loader.load(nvinfer.class);
      int v = nvinfer.getInferLibVersion();
      return (v / 10000) + "." + (v / 100 % 100) + "." + (v % 100);
    });
  }

  private static String found(Supplier<String> version) {
    try {
      return version.get();
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError | IllegalStateException e) {
      String why = Messages.firstLine(e.getMessage());  // JavaCPP lists the whole java.library.path: leave it out
      return "not found (" + (why.contains(" in java.library.path") ? why.substring(0, why.indexOf(" in java.library.path"))
          : why) + ")";
    } catch (RuntimeException e) {  // OrtException is checked; its environment wraps failures at load
      return "not found (" + Messages.rootFirstLine(e) + ")";
    }
  }
}
