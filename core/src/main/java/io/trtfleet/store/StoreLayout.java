package io.trtfleet.store;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * Where everything lives under the store root:
 * {@code <root>/<model>/<model-digest>/<backend>/<device-key>/<precision>/{engines,saved_model,calibration,report}/...}
 * with {@code manifest.json} beside them, {@code <root>/<model>/_index/v<n>.json} (the index versions),
 * {@code <root>/_staging/} for uploads in progress and commit locks, and {@code <root>/_trtfleet_store.json}
 * saying the folder is a store. Model names and digests cannot start with '_', so they never collide.
 */
record StoreLayout(Path root) {

  static final String STAGING = "_staging";
  static final String LOCKS = "locks";
  static final String MANIFEST = "manifest.json";
  /** The folder of a model's index versions, and the single index file of stores written before them. */
  static final String INDEX_DIR = "_index";
  static final String LEGACY_INDEX = "index.json";
  /** Written at the root by the first publish: what tells a store from any other folder. */
  static final String STORE_MARKER = "_trtfleet_store.json";
  /** The only top-level folders a publication may write into. */
  /** What a build folder may hold: engines, the TF-TRT SavedModel, ONNX models, Triton entries, calibration, reports. */
  static final List<String> SECTIONS = List.of("engines", "saved_model", "onnx", "triton", "calibration", "report");

  /** {@code engines/, saved_model/, ... or report/}, for messages. */
  static String sectionList() {
    List<String> s = SECTIONS.stream().map(x -> x + "/").toList();
    return String.join(", ", s.subList(0, s.size() - 1)) + " or " + s.get(s.size() - 1);
  }

  private static final Pattern INDEX_VERSION = Pattern.compile("v(\\d{10})\\.json");

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

  /** The key a manifest path (relative to the root) stands for, when its folders are valid key parts. */
  static Optional<TargetKey> keyOf(String manifestRelative) {
    String[] p = manifestRelative.split("/");
    if (p.length != 6 || !p[5].equals(MANIFEST)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new TargetKey(p[0], p[1], p[2], p[3], p[4]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  Path indexDir(String model) {
    return new Path(modelDir(model), INDEX_DIR);
  }

  Path indexVersion(String model, long version) {
    return new Path(indexDir(model), String.format("v%010d.json", version));
  }

  /** The version number of an index file name, or -1 for anything else (temporary files). */
  static long indexVersion(String fileName) {
    Matcher m = INDEX_VERSION.matcher(fileName);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  Path legacyIndex(String model) {
    return new Path(modelDir(model), LEGACY_INDEX);
  }

  Path storeMarker() {
    return new Path(root, STORE_MARKER);
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
}
