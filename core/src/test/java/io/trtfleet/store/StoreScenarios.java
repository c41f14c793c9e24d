package io.trtfleet.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
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
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

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
      assertEquals(1, store.list(Optional.of(key.model())).entries().size());
      assertTrue(files.call().stream().noneMatch(f -> f.startsWith("_staging/")), files.call().toString());
      return winner;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * {@code publishers} threads each publish {@code keysEach} different keys of one model at once (every
   * index update races with the others): every publish succeeds, the listing holds all of them and
   * equals a rescan, the newest index version itself lists every manifest, every build verifies, and
   * nothing is left in staging.
   *
   * @param files every file under the store's root, relative to it
   */
  static void concurrentPublishersOfManyKeysLoseNoEntry(ArtifactStore store, int publishers, int keysEach,
      java.nio.file.Path tmp, Callable<List<String>> files) throws Exception {
    String[] precisions = {"FP32", "FP16", "INT8", "INT8_FP32"};
    TargetKey base = BuildOutputs.key("cnn");
    CyclicBarrier start = new CyclicBarrier(publishers);
    ExecutorService pool = Executors.newFixedThreadPool(publishers);
    long t0 = System.nanoTime();
    try {
      List<Future<List<TargetKey>>> results = new ArrayList<>();
      for (int p = 0; p < publishers; p++) {
        int id = p;
        Publication pub = Publication.fromDirectory(BuildOutputs.write(tmp.resolve("many-" + p), p)).build();
        results.add(pool.submit(() -> {
          start.await();
          List<TargetKey> keys = new ArrayList<>();
          for (int k = 0; k < keysEach; k++) {
            TargetKey key = new TargetKey(base.model(), base.modelDigest(), base.backend(), "gpu-" + id,
                precisions[k % precisions.length]);
            store.publish(key, pub);
            keys.add(key);
          }
          return keys;
        }));
      }
      List<String> expected = new ArrayList<>();
      for (Future<List<TargetKey>> f : results) {
        for (TargetKey k : f.get()) {
          expected.add(new StoreLayout(new org.apache.hadoop.fs.Path(store.uri())).manifestRelative(k));
          assertTrue(store.verify(k).ok(), k.toString());
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      expected.sort(String::compareTo);
      Listing listing = store.list(Optional.of(base.model()));
      assertEquals(expected, listing.entries().stream().map(IndexEntry::manifest).sorted().toList());
      assertEquals(store.rescan(Optional.of(base.model())), listing);
      assertEquals(expected, indexedManifests(store, base.model()), "the index itself lost an entry");
      List<String> left = files.call().stream().filter(f -> f.startsWith("_staging/")).toList();
      assertTrue(left.isEmpty(), "left in staging: " + left);
      System.out.printf("%s: %d publishers x %d keys in %.1f s: %d listed, %d indexed, equal to a rescan%n",
          store.uri().getScheme(), publishers, keysEach, seconds, listing.entries().size(),
          indexedManifests(store, base.model()).size());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The manifest paths the newest index version of {@code model} holds (empty when there is none), read
   * as raw JSON: what the index file itself says, not what a listing derives.
   */
  static List<String> indexedManifests(ArtifactStore store, String model) throws IOException {
    FileSystem fs = store.fileSystem();
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(store.uri().toString() + "/" + model + "/_index");
    if (!fs.exists(dir)) {
      return List.of();
    }
    org.apache.hadoop.fs.Path newest = null;
    for (FileStatus st : fs.listStatus(dir)) {
      if (st.getPath().getName().matches("v\\d{10}\\.json")
          && (newest == null || st.getPath().getName().compareTo(newest.getName()) > 0)) {
        newest = st.getPath();
      }
    }
    if (newest == null) {
      return List.of();
    }
    try (InputStream in = fs.open(newest)) {
      List<String> out = new ArrayList<>();
      new ObjectMapper().readTree(in).get("manifests").forEach(m -> out.add(m.get("entry").get("manifest").asText()));
      return out;
    }
  }

  /** Every file under the store's root, relative to it. */
  static List<String> files(ArtifactStore store) throws IOException {
    FileSystem fs = store.fileSystem();
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(store.uri());
    List<String> out = new ArrayList<>();
    if (!fs.exists(root)) {
      return out;
    }
    String prefix = root.toUri().getPath().replaceAll("/$", "") + "/";
    for (FileStatus st : StoreFiles.listFiles(fs, root)) {
      out.add(st.getPath().toUri().getPath().substring(prefix.length()));
    }
    out.sort(String::compareTo);
    return out;
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
    assertTrue(store.list(Optional.of(key.model())).entries().isEmpty());
    assertEquals(2, store.cleanStaleStaging(Duration.ZERO), "the staging folder and the commit lock");

    Manifest m = store.publish(key, second);
    for (Manifest.FileEntry f : m.files()) {
      assertArrayEquals(Files.readAllBytes(second.files().get(f.path())), build.read(f.path()), f.path());
    }
    assertEquals(1, store.list(Optional.of(key.model())).entries().size());
  }
}
