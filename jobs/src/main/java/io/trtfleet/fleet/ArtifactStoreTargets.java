package io.trtfleet.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trtfleet.pipeline.BuildOutcome;
import io.trtfleet.pipeline.BuildPublisher;
import io.trtfleet.pipeline.SegmentBackend;
import io.trtfleet.store.ArtifactStore;
import io.trtfleet.store.Manifest;
import io.trtfleet.store.TargetKey;
import io.trtfleet.store.Verification;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * What the fleet jobs need of the artifact store ({@link ArtifactStore}: file://, s3a://, hdfs://): was
 * this exact target published, and publish one atomically. Build tasks call it on executors, so it is
 * serializable and opens the store lazily with the driver's {@code fs.*} Hadoop settings.
 *
 * <p>A fleet key maps to {@code TargetKey(model, contentDigest, backend, deviceKey, precision)}: the
 * content digest covers model, calibration and options, so unchanged inputs find their manifest. The
 * fleet's {@link TargetResult} rides in the manifest's validation field.
 */
public final class ArtifactStoreTargets implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String RESULT_FIELD = "fleet_result";
  static final String RUN_FIELD = "fleet_run";

  /** What a publish committed: the run whose build the store holds now, and the result it recorded. */
  public record Committed(String run, TargetResult result) implements Serializable {}

  private final URI root;
  private final Map<String, String> settings;
  private transient ArtifactStore store;

  public ArtifactStoreTargets(URI root, Configuration conf) {
    this.root = root;
    this.settings = new LinkedHashMap<>();
    conf.iterator().forEachRemaining(e -> {
      if (e.getKey().startsWith("fs.")) {
        settings.put(e.getKey(), e.getValue());
      }
    });
  }

  public URI root() {
    return root;
  }

  /**
   * The result recorded when this exact key was published, if it was and its build is intact: every file
   * the manifest lists is checked (size and sha256), so a damaged build is never skipped but rebuilt.
   */
  public Optional<TargetResult> published(FleetTargetKey key) {
    return resultOf(verify(key));
  }

  /** The fleet result an intact build was published with; empty for a missing or damaged one. */
  public static Optional<TargetResult> resultOf(Verification v) {
    return v.ok() ? v.manifest().map(ArtifactStoreTargets::result) : Optional.empty();
  }

  /** The key's build checked byte for byte: OK, MISSING, or CORRUPT with the first problem. */
  public Verification verify(FleetTargetKey key) {
    return store().verify(storeKey(key));
  }

  /** Removes what crashed publishers left in staging longer ago than the store's lease. */
  public int cleanStaleStaging() {
    return store().cleanStaleStaging();
  }

  /**
   * Publishes a built target's folder with its result and run (in the manifest's validation, as
   * {@value #RESULT_FIELD} and {@value #RUN_FIELD}), through the pipeline's publisher: every engine and file
   * listed, the GPU it was built on. Atomic and idempotent (the store's contract), so Spark retries and
   * speculation are safe, and of two runs building one key only the first commit counts.
   */
  public Committed publish(String run, Target target, TargetResult result, Path dir, BuildOutcome outcome,
      ModelInputs inputs, Optional<SegmentBackend.Device> device) {
    ObjectNode extra = JSON.createObjectNode().put(RUN_FIELD, run).set(RESULT_FIELD, JSON.valueToTree(result));
    ObjectNode options = JSON.createObjectNode().put("precision", target.precision().name())
        .put("tags", target.model().tags()).put("signature", target.model().signature());
    options.set("profiles", JSON.valueToTree(target.model().profiles()));
    options.set("gate", JSON.valueToTree(target.model().gate(target.precision())));
    Manifest m = BuildPublisher.publish(store(), storeKey(target.key()), dir, outcome, new BuildPublisher.Provenance(
        target.model().signature(), inputs.calibrationDigest(), inputs.calibrationAlgorithm(), options, device, extra));
    // Another run may have committed the same key first: the store keeps theirs, and so does the report.
    return new Committed(m.validation() == null ? "" : m.validation().path(RUN_FIELD).asText(""), result(m));
  }

  static TargetKey storeKey(FleetTargetKey k) {
    return new TargetKey(k.model(), k.contentDigest(), k.backend(), k.deviceKey(), k.precision());
  }

  private static TargetResult result(Manifest m) {
    JsonNode r = m.validation() == null ? null : m.validation().get(RESULT_FIELD);
    if (r == null) {
      throw new IllegalStateException("manifest of " + m.model() + " " + m.deviceKey() + " " + m.precision()
          + " was not written by a fleet run (no " + RESULT_FIELD + ")");
    }
    try {
      return JSON.treeToValue(r, TargetResult.class);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable fleet result in the manifest of " + m.model(), e);
    }
  }

  private ArtifactStore store() {
    if (store == null) {
      Configuration conf = new Configuration();
      settings.forEach(conf::set);
      store = ArtifactStore.open(root, conf);
    }
    return store;
  }
}
