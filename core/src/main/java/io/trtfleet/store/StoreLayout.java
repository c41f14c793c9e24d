package io.trtfleet.store;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * Where everything lives under the store root:
 * {@code <root>/<model>/<model-digest>/trt-<x.y.z>/<device-key>/<precision>/{engines,saved_model,calibration,report}/...}
 * with {@code manifest.json} beside them, {@code <root>/<model>/index.json}, and {@code <root>/_staging/}
 * for uploads in progress and commit locks. Model names cannot start with '_', so they never collide.
 */
record StoreLayout(Path root) {

  static final String STAGING = "_staging";
  static final String LOCKS = "locks";
  static final String MANIFEST = "manifest.json";
  static final String INDEX = "index.json";
  /** The only top-level folders a publication may write into. */
  /** What a build folder may hold: engines, the TF-TRT SavedModel, ONNX models, Triton entries, calibration, reports. */
  static final List<String> SECTIONS = List.of("engines", "saved_model", "onnx", "triton", "calibration", "report");

  /** {@code engines/, saved_model/, ... or report/}, for messages. */
  static String sectionList() {
    List<String> s = SECTIONS.stream().map(x -> x + "/").toList();
    return String.join(", ", s.subList(0, s.size() - 1)) + " or " + s.get(s.size() - 1);
  }

  Path modelDir(String model) {
    return new Path(root, model);
  }

  Path target(TargetKey k) {
    return new Path(new Path(new Path(new Path(modelDir(k.model()), k.modelDigest()), k.backend()), k.deviceKey()),
        k.precision());
  }

  Path manifest(TargetKey k) {
    return new Path(target(k), MANIFEST);
  }

  /** The manifest's path relative to the root, as the index records it. */
  String manifestRelative(TargetKey k) {
    return k.model() + "/" + k.modelDigest() + "/" + k.backend() + "/" + k.deviceKey() + "/" + k.precision() + "/"
        + MANIFEST;
  }

  Path index(String model) {
    return new Path(modelDir(model), INDEX);
  }

  Path stagingRoot() {
    return new Path(root, STAGING);
  }

  Path staging(String publishId) {
    return new Path(stagingRoot(), publishId);
  }

  Path locksDir() {
    return new Path(stagingRoot(), LOCKS);
  }

  /** One lock object per key; the name is a hash so it stays one flat folder that cleanup can list. */
  Path lock(TargetKey k) {
    String h = HexFormat.of().formatHex(ContentDigest.sha256(manifestRelative(k).getBytes(StandardCharsets.UTF_8)));
    return new Path(locksDir(), h.substring(0, 32) + ".lock");
  }

  /** Glob for every manifest of a model (the index is rebuilt from these). */
  Path manifestGlob(String model) {
    return new Path(modelDir(model), "*/trt-*/*/*/" + MANIFEST);
  }
}
