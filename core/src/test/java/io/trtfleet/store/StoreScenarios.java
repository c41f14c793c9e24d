package io.trtfleet.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
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
   * Publishers of one key start together, each with a different build: all return the one committed
   * build, which verifies, is listed once, and leaves nothing in staging.
   *
   * @param files every file under the store's root, relative to it
   * @return the committed build
   */
  static Manifest concurrentPublishersAgreeOnOneBuild(ArtifactStore store, TargetKey key, List<Publication> builds,
      Callable<List<String>> files) throws Exception {
    CyclicBarrier start = new CyclicBarrier(builds.size());
    ExecutorService pool = Executors.newFixedThreadPool(builds.size());
    try {
      List<Future<Manifest>> results = new ArrayList<>();
      for (Publication p : builds) {
        results.add(pool.submit(() -> {
          start.await();
          return store.publish(key, p);
        }));
      }
      Manifest winner = results.get(0).get();
      for (Future<Manifest> f : results) {
        assertEquals(winner.publishId(), f.get().publishId());
      }
      assertEquals(winner, store.manifest(key).orElseThrow());
      assertEquals(winner, store.publish(key, builds.get(0)), "verifies every file against the manifest");
      assertEquals(1, store.list(Optional.of(key.model())).size());
      assertTrue(files.call().stream().noneMatch(f -> f.startsWith("_staging/")), files.call().toString());
      return winner;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Reads a file of the key's build folder (a path like engines/segment_0.plan), or null when absent. */
  interface BuildFiles {
    byte[] read(String path) throws Exception;
  }

  /**
   * A publisher killed after moving its files but before writing the manifest: no manifest, nothing
   * listed, cleanup removes its staging and lock, and the next publish replaces the moved files.
   */
  static void aPublishKilledWhileMovingIsReplacedByTheNext(ArtifactStore store, TargetKey key, Publication first,
      Publication second, BuildFiles build) throws Exception {
    ArtifactStore crashing = store.observed(step -> {
      if (step.equals("before-manifest")) {
        throw new ArtifactStoreLocalTest.Killed(step);
      }
    });
    assertThrows(ArtifactStoreLocalTest.Killed.class, () -> crashing.publish(key, first));
    assertNotNull(build.read("engines/segment_0.plan"), "files were moved");
    assertTrue(store.manifest(key).isEmpty());
    assertTrue(store.list(Optional.of(key.model())).isEmpty());
    assertEquals(2, store.cleanStaleStaging(Duration.ZERO), "the staging folder and the commit lock");

    Manifest m = store.publish(key, second);
    for (Manifest.FileEntry f : m.files()) {
      assertArrayEquals(Files.readAllBytes(second.files().get(f.path())), build.read(f.path()), f.path());
    }
    assertEquals(1, store.list(Optional.of(key.model())).size());
  }
}
