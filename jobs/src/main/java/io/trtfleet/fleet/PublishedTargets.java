package io.trtfleet.fleet;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The seam to the artifact store: what the fleet jobs need of it, nothing more. Build tasks call it on
 * executors, so implementations are serializable and open their storage lazily.
 *
 * <p>At merge, an adapter over {@code io.trtfleet.publish.ArtifactStore} replaces {@link DirectoryStore}:
 * {@code published} = {@code store.manifest(new TargetKey(k.model(), k.contentDigest(), k.trtVersion(),
 * k.deviceKey(), k.precision()))} mapped to the result recorded in the manifest; {@code publish} = {@code
 * store.publish(thatKey, publication of the files + result)}.
 */
public interface PublishedTargets extends Serializable {

  /** The result recorded when this exact key was published, if it was. */
  Optional<TargetResult> published(FleetTargetKey key);

  /**
   * Publishes the files of a built target (engine or ONNX, reports) with its result. Atomic: a key is
   * either absent or complete, so a task killed halfway is simply rebuilt by the next run.
   */
  void publish(FleetTargetKey key, TargetResult result, Path files);
}
