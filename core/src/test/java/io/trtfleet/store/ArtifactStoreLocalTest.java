package io.trtfleet.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.FileTrees;
import io.trtfleet.TrtfleetException;
import io.trtfleet.store.Manifest.FileEntry;
import io.trtfleet.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreLocalTest {

  @TempDir
  Path tmp;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Stands for the process dying: an Error, which publish does not clean up after (a kill would not either). */
  static final class Killed extends Error {
    private static final long serialVersionUID = 1L;

    Killed(String step) {
      super("killed at " + step);
    }
  }

  private ArtifactStore store() {
    Configuration conf = new Configuration(false);
    conf.setLong(ArtifactStore.LOCK_WAIT_SECONDS, 30);
    return ArtifactStore.open(tmp.resolve("store").toUri(), conf);
  }

  private Publication publication(long seed) throws IOException {
    Path out = BuildOutputs.write(tmp.resolve("out-" + seed), seed);
    return Publication.fromDirectory(out).signature("serving_default").calibration("ab12", "entropy")
        .conversionOptions(JSON.readTree("{\"precision\":\"INT8\",\"profiles\":\"range\"}"))
        .device("NVIDIA H100 80GB HBM3", "9.0", "570.86").validation(JSON.readTree("{\"max_abs_err\":0.01}"))
        .benchmark(JSON.readTree("{\"p50_ms\":1.2}")).buildSeconds(12.5).build();
  }

  private Path root() {
    return tmp.resolve("store");
  }

  private Path target(TargetKey k) {
    return root().resolve(k.model()).resolve(k.modelDigest()).resolve("trt-10.6.0").resolve(k.deviceKey())
        .resolve(k.precision());
  }

  private List<Path> stagingFiles() throws IOException {
    Path s = root().resolve("_staging");
    if (!Files.exists(s)) {
      return List.of();
    }
    try (Stream<Path> w = Files.walk(s)) {
      return w.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".crc")).toList();
    }
  }

  @Test
  void publishReadBackAndList() throws Exception {
    ArtifactStore store = store();
    TargetKey key = BuildOutputs.key("resnet50");
    assertTrue(store.manifest(key).isEmpty());
    Publication pub = publication(1);
    Manifest m = store.publish(key, pub);

    Manifest read = store.manifest(key).orElseThrow();
    assertEquals(m, read);
    assertEquals(7, read.files().size());
    assertEquals(2, read.engines().size(), "plans are engines; their metadata files are not");
    assertEquals("INT8", read.engines().get(0).precision());
    assertEquals("serving_default", read.signature());
    assertEquals("entropy", read.calibrationAlgorithm());
    assertEquals("INT8", read.conversionOptions().get("precision").asText());
    assertEquals(0.01, read.validation().get("max_abs_err").asDouble());
    for (FileEntry f : read.files()) {
      Path stored = target(key).resolve(f.path());
      assertArrayEquals(Files.readAllBytes(pub.files().get(f.path())), Files.readAllBytes(stored), f.path());
      assertEquals(Files.size(stored), f.size());
    }
    assertEquals(read.engines().get(0).sha256(), read.file("engines/segment_0.plan").orElseThrow().sha256());
    JsonNode manifestJson = JSON.readTree(target(key).resolve("manifest.json").toFile());
    assertEquals("resnet50", manifestJson.get("model").asText());
    assertTrue(manifestJson.has("compute_capability") && manifestJson.has("trtfleet_version"), manifestJson.toString());

    List<IndexEntry> listed = store.list(Optional.of("resnet50")).entries();
    assertEquals(1, listed.size());
    IndexEntry e = listed.get(0);
    assertEquals(key.deviceKey(), e.deviceKey());
    assertEquals("trt-10.6.0", e.backend());
    assertEquals(key.modelDigest(), e.modelDigest());
    assertEquals("ok", e.status());
    assertEquals(listed, store.list(Optional.empty()).entries());
    assertEquals(List.of(e.manifest()), StoreScenarios.indexedManifests(store, "resnet50"));
    assertEquals(ArtifactStore.RootState.STORE, store.state());
    assertTrue(stagingFiles().isEmpty(), stagingFiles().toString());
  }

  @Test
  void republishingAKeyReturnsTheExistingBuild() throws Exception {
    ArtifactStore store = store();
    TargetKey key = BuildOutputs.key("cnn");
    Manifest first = store.publish(key, publication(1));
    byte[] plan = Files.readAllBytes(target(key).resolve("engines/segment_0.plan"));
    Manifest again = store.publish(key, publication(2));  // a retried task with a rebuilt (different) engine
    assertEquals(first, again);
    assertArrayEquals(plan, Files.readAllBytes(target(key).resolve("engines/segment_0.plan")));
    assertTrue(stagingFiles().isEmpty());
  }


  @Test
  void aPublishKilledWhileStagingLeavesNoManifestAndCleanupRemovesItsFiles() throws Exception {
    ArtifactStore store = store();
    TargetKey key = BuildOutputs.key("cnn");
    TargetKey other = new TargetKey("cnn", key.modelDigest(), "10.6.0", "l4.sm89", "fp16");
    store.publish(other, publication(9));
    List<String> indexBefore = StoreScenarios.indexedManifests(store, "cnn");
    ArtifactStore crashing = store.observed(step -> {
      if (step.equals("staged engines/segment_1.plan")) {
        throw new Killed(step);
      }
    });
    assertThrows(Killed.class, () -> crashing.publish(key, publication(1)));
    assertTrue(store.manifest(key).isEmpty());
    assertFalse(Files.exists(target(key)), "nothing outside staging");
    assertEquals(indexBefore, StoreScenarios.indexedManifests(store, "cnn"), "index unchanged");
    assertEquals(List.of(other.deviceKey()),
        store.list(Optional.of("cnn")).entries().stream().map(IndexEntry::deviceKey).toList());
    assertEquals(5, stagingFiles().size(), stagingFiles().toString());  // marker, calibration, two plans, a plan's metadata

    assertEquals(0, store.cleanStaleStaging(Duration.ofHours(1)), "fresh staging is left alone");
    assertEquals(1, store.cleanStaleStaging(Duration.ZERO));
    assertTrue(stagingFiles().isEmpty(), stagingFiles().toString());
    store.publish(key, publication(1));
    assertEquals(2, store.list(Optional.of("cnn")).entries().size());
  }

  @Test
  void aPublishKilledWhileMovingLeavesNoManifestAndARepublishReplacesTheLeftovers() throws Exception {
    TargetKey key = BuildOutputs.key("cnn");
    StoreScenarios.aPublishKilledWhileMovingIsReplacedByTheNext(store(), key, publication(1), publication(2),
        path -> Files.exists(target(key).resolve(path)) ? Files.readAllBytes(target(key).resolve(path)) : null);
  }

  @Test
  void aLockLeftByAKilledPublisherIsBrokenOnceItsHolderIsSilentTooLong() throws Exception {
    TargetKey key = BuildOutputs.key("cnn");
    ArtifactStore crashing = store().observed(step -> {
      if (step.equals("moved engines/segment_0.plan")) {
        throw new Killed(step);
      }
    });
    assertThrows(Killed.class, () -> crashing.publish(key, publication(1)));

    Configuration patient = new Configuration(false);
    patient.setLong(ArtifactStore.LOCK_WAIT_SECONDS, 1);
    TrtfleetException waited = assertThrows(TrtfleetException.class,
        () -> ArtifactStore.open(root().toUri(), patient).publish(key, publication(2)));
    assertTrue(waited.getMessage().contains("commit lock"), waited.getMessage());

    Configuration breaking = new Configuration(false);
    breaking.setLong(ArtifactStore.LOCK_STALE_SECONDS, 0);
    Publication third = publication(3);
    Manifest m = ArtifactStore.open(root().toUri(), breaking).publish(key, third);
    for (FileEntry f : m.files()) {
      assertArrayEquals(Files.readAllBytes(third.files().get(f.path())),
          Files.readAllBytes(target(key).resolve(f.path())), f.path());
    }
    assertEquals(1, store().cleanStaleStaging(Duration.ZERO), "only the killed publisher's staging is left");
  }

  @Test
  void anEmptyLockIsAliveWhileFreshAndBrokenOnceStale() throws Exception {
    TargetKey key = BuildOutputs.key("cnn");
    // What a publisher that died between creating its lock and writing into it leaves behind.
    Path lock = Path.of(new StoreLayout(new org.apache.hadoop.fs.Path(root().toUri())).lock(key).toUri());
    Files.createDirectories(lock.getParent());
    Files.createFile(lock);

    Configuration patient = new Configuration(false);
    patient.setLong(ArtifactStore.LOCK_WAIT_SECONDS, 1);
    patient.setLong(ArtifactStore.LOCK_STALE_SECONDS, 60);
    TrtfleetException waited = assertThrows(TrtfleetException.class,
        () -> ArtifactStore.open(root().toUri(), patient).publish(key, publication(1)));
    assertTrue(waited.getMessage().contains("commit lock"), "a fresh empty lock counts as held: " + waited.getMessage());

    Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
    assertEquals(key, ArtifactStore.open(root().toUri(), patient).publish(key, publication(1)).key(),
        "silent for 5 minutes, past the 60 s stale period: broken");
  }

  /** Publishes with a 1 s stale period while {@code lock} holds what a broken publisher left. */
  private void assertBrokenAfterItsLease(TargetKey key, Path lock, String problem) throws Exception {
    Configuration patient = new Configuration(false);
    patient.setLong(ArtifactStore.LOCK_WAIT_SECONDS, 1);
    patient.setLong(ArtifactStore.LOCK_STALE_SECONDS, 60);
    TrtfleetException waited = assertThrows(TrtfleetException.class,
        () -> ArtifactStore.open(root().toUri(), patient).publish(key, publication(1)));
    assertTrue(waited.getMessage().contains("commit lock"), "young, so held: " + waited.getMessage());

    Configuration breaking = new Configuration(false);
    breaking.setLong(ArtifactStore.LOCK_WAIT_SECONDS, 30);
    breaking.setLong(ArtifactStore.LOCK_STALE_SECONDS, 1);
    long t0 = System.nanoTime();
    try (LogCapture logs = new LogCapture("io.trtfleet.store")) {
      assertEquals(key, ArtifactStore.open(root().toUri(), breaking).publish(key, publication(1)).key());
      assertTrue(logs.lines().stream().anyMatch(l -> l.contains("breaking the commit lock") && l.contains(problem)),
          logs.lines().toString());
    }
    assertTrue((System.nanoTime() - t0) / 1e9 < 10, "broken after its 1 s lease");
    assertFalse(Files.exists(lock), "the publisher released its own lock");
  }

  private Path lockPath(TargetKey key) throws IOException {
    Path lock = Path.of(new StoreLayout(new org.apache.hadoop.fs.Path(root().toUri())).lock(key).toUri());
    Files.createDirectories(lock.getParent());
    return lock;
  }

  @Test
  void malformedLocksAreBrokenAfterTheirLease() throws Exception {
    TargetKey empty = BuildOutputs.key("cnn");
    Files.writeString(lockPath(empty), "{}");
    assertBrokenAfterItsLease(empty, lockPath(empty), "not a holder record");
    TargetKey garbage = BuildOutputs.key("mlp");
    Files.writeString(lockPath(garbage), "\u0000garbage");
    assertBrokenAfterItsLease(garbage, lockPath(garbage), "unreadable");
  }

  @Test
  void aLockWithAHeartbeatInTheFutureIsBrokenAfterItsLease() throws Exception {
    TargetKey key = BuildOutputs.key("cnn");
    Path lock = lockPath(key);
    Files.writeString(lock, "{\"owner\":\"x\",\"key\":\"k\",\"since\":\"2999-01-01T00:00:00Z\","
        + "\"heartbeat\":\"2999-01-01T00:00:00Z\"}");
    // Even its modification time lies: only watching it stay unchanged for the lease tells it is dead.
    Files.setLastModifiedTime(lock, FileTime.from(Instant.now().plus(Duration.ofDays(2))));
    assertBrokenAfterItsLease(key, lock, "in the future");
  }

  @Test
  void aLockThatIsAFolderIsBrokenAfterItsLease() throws Exception {
    TargetKey key = BuildOutputs.key("cnn");
    Path lock = lockPath(key);
    Files.createDirectories(lock.resolve("inside"));
    Files.writeString(lock.resolve("inside/file"), "x");
    assertBrokenAfterItsLease(key, lock, "folder");
  }

  @Test
  void theRootSaysWhetherItIsAStore() throws Exception {
    assertEquals(ArtifactStore.RootState.MISSING, store().state());
    Files.createDirectories(root());
    assertEquals(ArtifactStore.RootState.EMPTY, store().state());
    Files.writeString(root().resolve("notes.txt"), "not a store");
    Files.createDirectories(root().resolve("photos"));
    assertEquals(ArtifactStore.RootState.NOT_A_STORE, store().state());
    Files.createDirectories(root().resolve("resnet50"));
    Files.writeString(root().resolve("resnet50/index.json"), "{}");  // a store from before the marker
    assertEquals(ArtifactStore.RootState.STORE, store().state());
    FileTrees.deleteTree(root());
    store().publish(BuildOutputs.key("cnn"), publication(1));
    assertEquals(ArtifactStore.RootState.STORE, store().state());
    assertTrue(Files.exists(root().resolve("_trtfleet_store.json")));
    Files.writeString(tmp.resolve("file"), "x");
    assertEquals(ArtifactStore.RootState.NOT_A_STORE,
        ArtifactStore.open(tmp.resolve("file").toUri(), new Configuration(false)).state());
  }

  @Test
  void symbolicLinksInABuildFolderAreRefused() throws Exception {
    Path out = BuildOutputs.write(tmp.resolve("out"), 1);
    Path secret = Files.writeString(tmp.resolve("outside.txt"), "not part of the build");
    Files.createSymbolicLink(out.resolve("report/host.txt"), secret);
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> Publication.fromDirectory(out));
    assertTrue(e.getMessage().contains("report/host.txt") && e.getMessage().contains("symbolic link")
        && e.getMessage().contains(secret.toString()), e.getMessage());
    Files.delete(out.resolve("report/host.txt"));

    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.writeString(elsewhere.resolve("a.cache"), "x");
    Files.createSymbolicLink(out.resolve("calibration/linked"), elsewhere);
    assertThrows(TrtfleetException.class, () -> Publication.fromDirectory(out), "a linked folder");
    Files.delete(out.resolve("calibration/linked"));
    Files.createSymbolicLink(out.resolve("x.plan"), out.resolve("engines/segment_0.plan"));
    assertThrows(TrtfleetException.class, () -> Publication.builder().file("engines/x.plan", out.resolve("x.plan"))
        .build(), "a link given by name");
    assertEquals(7, Publication.fromDirectory(out).build().files().size(), "without links it publishes");
  }

  @Test
  void aFailingPublishCleansUpAfterItself() throws Exception {
    ArtifactStore store = store();
    TargetKey key = BuildOutputs.key("cnn");
    ArtifactStore failing = store.observed(step -> {
      if (step.equals("moved engines/segment_1.plan")) {
        throw new IOException("disk full");
      }
    });
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> failing.publish(key, publication(1)));
    assertTrue(e.getMessage().contains("disk full") && e.getMessage().contains(root().toUri().toString().replaceAll(
        "/$", "")), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    assertTrue(store.manifest(key).isEmpty());
    assertTrue(stagingFiles().isEmpty(), "staging and lock removed: " + stagingFiles());
    store.publish(key, publication(1));
  }

  @RepeatedTest(5)  // the interleavings differ from run to run
  void concurrentPublishersOfOneKeyAgreeOnOneBuild() throws Exception {
    TargetKey key = BuildOutputs.key("cnn");
    List<Publication> builds = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      builds.add(publication(10 + i));
    }
    Manifest winner = StoreScenarios.concurrentPublishersAgreeOnOneBuild(store(), key, builds,
        () -> stagingFiles().stream().map(p -> "_staging/" + root().resolve("_staging").relativize(p)).toList());
    // The files in place are the winner's, byte for byte.
    for (FileEntry f : winner.files()) {
      Path stored = target(key).resolve(f.path());
      assertEquals(f.size(), Files.size(stored));
      assertEquals(f.sha256(), sha(stored), f.path());
    }
    assertEquals("cnn/" + key.modelDigest() + "/trt-10.6.0/" + key.deviceKey() + "/INT8/manifest.json",
        store().list(Optional.of("cnn")).entries().get(0).manifest());
  }

  @Test
  void eightPublishersOfThreeKeysEachLoseNoIndexEntry() throws Exception {
    StoreScenarios.concurrentPublishersOfManyKeysLoseNoEntry(store(), 8, 3, tmp,
        () -> stagingFiles().stream().map(p -> "_staging/" + root().resolve("_staging").relativize(p)).toList());
  }

  @Test
  void aMissingOrBrokenIndexChangesNoListingAndIsRebuiltFromManifests() throws Exception {
    ArtifactStore store = store();
    store.publish(BuildOutputs.key("cnn"), publication(1));
    TargetKey fp16 = new TargetKey("cnn", BuildOutputs.key("cnn").modelDigest(), "10.6.0", "l4.sm89", "fp16");
    store.publish(fp16, publication(2));
    Listing full = store.list(Optional.of("cnn"));
    assertEquals(2, full.entries().size());
    assertEquals(full, store.rescan(Optional.of("cnn")));
    FileTrees.deleteTree(root().resolve("cnn/_index"));
    assertEquals(full, store.list(Optional.of("cnn")));
    store.rebuildIndex(Optional.of("cnn"));
    assertEquals(2, StoreScenarios.indexedManifests(store, "cnn").size());
    try (Stream<Path> versions = Files.list(root().resolve("cnn/_index"))) {
      for (Path v : versions.toList()) {
        Files.writeString(v, "{not json");
      }
    }
    assertEquals(full, store.list(Optional.of("cnn")));
    store.rebuildIndex(Optional.empty());
    assertEquals(2, StoreScenarios.indexedManifests(store, "cnn").size());
  }

  @Test
  void aCrashBetweenCommitAndIndexLosesNoListingAndTheNextPublishRepairsTheIndex() throws Exception {
    ArtifactStore store = store();
    TargetKey key = BuildOutputs.key("cnn");
    TargetKey other = new TargetKey("cnn", key.modelDigest(), "10.6.0", "l4.sm89", "fp16");
    ArtifactStore crashing = store.observed(step -> {
      if (step.equals("committed")) {
        throw new Killed(step);
      }
    });
    assertThrows(Killed.class, () -> crashing.publish(key, publication(1)));
    assertEquals(List.of(), StoreScenarios.indexedManifests(store, "cnn"), "the index never heard of it");
    assertEquals(1, store.list(Optional.of("cnn")).entries().size(), "the listing reads the manifests");
    assertTrue(store.verify(key).ok());
    store.publish(other, publication(2));
    assertEquals(2, StoreScenarios.indexedManifests(store, "cnn").size(), "repaired by the next publish");
    assertEquals(store.rescan(Optional.empty()), store.list(Optional.empty()));
  }

  @Test
  void theIndexPrefersTheNewestGoodBuild() throws Exception {
    ArtifactStore store = store();
    TargetKey older = BuildOutputs.key("cnn");
    TargetKey newer = new TargetKey("cnn", "ffff" + older.modelDigest().substring(4), "10.6.0", older.deviceKey(),
        "int8");
    TargetKey failed = new TargetKey("cnn", "eeee" + older.modelDigest().substring(4), "10.6.0", older.deviceKey(),
        "int8");
    store.publish(older, publication(1));
    Thread.sleep(5);
    store.publish(newer, publication(2));
    Thread.sleep(5);
    Publication bad = Publication.fromDirectory(BuildOutputs.write(tmp.resolve("bad"), 3)).status("failed").build();
    store.publish(failed, bad);
    List<IndexEntry> list = store.list(Optional.of("cnn")).entries();
    assertEquals(1, list.size());
    assertEquals(newer.modelDigest(), list.get(0).modelDigest());
  }

  @Test
  void schemaOneManifestsReadWithTheirTensorRtVersionAsBackend() throws Exception {
    TargetKey key = BuildOutputs.key("resnet50");
    Manifest m = store().publish(key, publication(1));
    ObjectMapper mapper = ManifestJson.MAPPER;
    com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode)
        mapper.readTree(ManifestJson.write(m));
    old.remove("backend");
    old.put("trt_version", "10.6.0");
    old.put("schema", 1);
    Manifest read = ManifestJson.manifest(mapper.writeValueAsBytes(old));
    assertEquals("trt-10.6.0", read.backend());
    assertEquals(key, read.key());
    old.put("schema", Manifest.SCHEMA + 1);
    assertThrows(IOException.class, () -> ManifestJson.manifest(mapper.writeValueAsBytes(old)));
  }

  @Test
  void pathEscapesAreRejected() throws Exception {
    String d = BuildOutputs.key("x").modelDigest();
    for (String bad : new String[] {"../etc", "a/b", "", "..", ".hidden", "a..b", "_staging", "x y"}) {
      assertThrows(IllegalArgumentException.class, () -> new TargetKey(bad, d, "10.6.0", "l4.sm89", "fp16"), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> new TargetKey("m", "XYZ", "10.6.0", "l4.sm89", "fp16"));
    assertThrows(IllegalArgumentException.class, () -> new TargetKey("m", d, "10/6", "l4.sm89", "fp16"));
    assertThrows(IllegalArgumentException.class, () -> new TargetKey("m", d, "10.6.0", "../l4", "fp16"));
    assertEquals("trt-10.6.0", new TargetKey("m", d, "10.6.0", "l4.sm89", "fp16").backend());
    assertEquals("FP16", new TargetKey("m", d, "10.6.0", "l4.sm89", "fp16").precision(), "one precision, however spelled");
    assertEquals("onnxruntime-1.23.2", new TargetKey("m", d, "onnxruntime-1.23.2", "cpu", "INT8").backend());
    Path f = Files.writeString(tmp.resolve("f"), "x");
    for (String bad : new String[] {"engines/../../x", "other/x", "/engines/x", "engines/", "engines//x", "engines"}) {
      assertThrows(IllegalArgumentException.class, () -> Publication.builder().file(bad, f).build(), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> store().list(Optional.of("../x")));
  }

  @Test
  void credentialsInTheStoreUriAreRefused() {
    TrtfleetException e = assertThrows(TrtfleetException.class,
        () -> ArtifactStore.open(java.net.URI.create("s3a://AKIDX:secretvalue@bucket/root"), new Configuration(false)));
    assertFalse(e.getMessage().contains("secretvalue") || e.getMessage().contains("AKIDX"), e.getMessage());
  }

  @Test
  void digestsDependOnContentOnly() throws Exception {
    Path a = BuildOutputs.write(tmp.resolve("a"), 7).resolve("saved_model");
    Path b = BuildOutputs.write(tmp.resolve("b"), 7).resolve("saved_model");
    assertEquals(ContentDigest.ofSavedModel(a), ContentDigest.ofSavedModel(b));
    Files.writeString(b.resolve("variables/variables.index"), "indeX");
    assertNotEquals(ContentDigest.ofSavedModel(a), ContentDigest.ofSavedModel(b));
    assertEquals(64, ContentDigest.ofSavedModel(a).length());
    assertEquals(ContentDigest.ofJson(JSON.readTree("{\"a\":1,\"b\":{\"c\":2,\"d\":[1,2]}}")),
        ContentDigest.ofJson(JSON.readTree("{\"b\":{\"d\":[1,2],\"c\":2},\"a\":1}")));
    assertNotEquals(ContentDigest.ofJson(JSON.readTree("{\"a\":1}")), ContentDigest.ofJson(JSON.readTree("{\"a\":2}")));
    Path c1 = Files.writeString(tmp.resolve("c1.parquet"), "one");
    Path c2 = Files.writeString(tmp.resolve("c2.parquet"), "two");
    assertEquals(ContentDigest.ofFiles(List.of(c1, c2)), ContentDigest.ofFiles(List.of(c2, c1)));
    assertThrows(TrtfleetException.class, () -> ContentDigest.ofSavedModel(tmp.resolve("a/report")));
  }

  private static String sha(Path p) throws IOException {
    return ContentDigest.hex(Files.readAllBytes(p));
  }
}
