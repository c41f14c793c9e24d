package io.trtfleet.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Store scenarios that every backend (s3a://, hdfs://) must pass the same way. */
final class StoreScenarios {

  private StoreScenarios() {}

  /**
   * Two publishers of one key start together with different builds: both return the one committed
   * build, which verifies, is listed once, and leaves nothing in staging.
   *
   * @param files every file under the store's root, relative to it
   */
  static void concurrentPublishersAgreeOnOneBuild(ArtifactStore store, TargetKey key, Publication a, Publication b,
      Callable<List<String>> files) throws Exception {
    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Manifest> fa = pool.submit(() -> {
        start.await();
        return store.publish(key, a);
      });
      Future<Manifest> fb = pool.submit(() -> {
        start.await();
        return store.publish(key, b);
      });
      Manifest ma = fa.get();
      assertEquals(ma.publishId(), fb.get().publishId());
      assertEquals(ma, store.manifest(key).orElseThrow());
      assertEquals(ma, store.publish(key, a), "verifies every file against the manifest");
      assertEquals(1, store.list(Optional.of(key.model())).size());
      assertTrue(files.call().stream().noneMatch(f -> f.startsWith("_staging/")), files.call().toString());
    } finally {
      pool.shutdownNow();
    }
  }
}
