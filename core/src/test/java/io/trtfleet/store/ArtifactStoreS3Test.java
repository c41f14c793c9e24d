package io.trtfleet.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.store.Manifest.FileEntry;
import io.trtfleet.testing.LogCapture;
import io.trtfleet.testing.LoopbackPorts;
import io.trtfleet.testing.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store over s3a:// against S3Proxy in this JVM (path-style, signed requests, in-memory blobs). */
class ArtifactStoreS3Test {

  private static S3ProxyServer s3;
  private static int bucketSeq;

  @TempDir
  Path tmp;

  private String bucket;
  private LogCapture logs;

  @BeforeAll
  static void startS3() throws Exception {
    String[] buckets = new String[8];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = "trtfleet-" + i;  // S3 bucket names have at least 3 characters
    }
    s3 = new S3ProxyServer(buckets);
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @BeforeEach
  void capture() {
    bucket = "trtfleet-" + bucketSeq++;  // a bucket per test: no state leaks between tests
    logs = new LogCapture("org.apache.hadoop.fs.s3a", "software.amazon.awssdk", "io.trtfleet", "org.apache.http.headers",
        "org.apache.http.impl");
  }

  @AfterEach
  void noCredentialsInLogs() {
    logs.close();
    assertFalse(logs.lines().isEmpty(), "the capture saw the store's log lines");
    for (String line : logs.lines()) {
      assertFalse(line.contains(S3ProxyServer.SECRET_KEY), "secret key logged: " + line);
      // HttpClient's header log (org.apache.http.headers, DEBUG) prints the Authorization header, whose
      // Credential= part is the access key id (never the secret): a wire-debugging switch, see docs/publishing.md.
      if (!line.startsWith("org.apache.http.headers") && !line.startsWith("org.apache.http.wire")) {
        assertFalse(line.contains(S3ProxyServer.ACCESS_KEY), "access key logged: " + line);
      }
    }
  }

  private URI root() {
    return URI.create("s3a://" + bucket + "/fleet");
  }

  private ArtifactStore store() {
    Configuration conf = s3.conf();
    conf.setLong(ArtifactStore.LOCK_WAIT_SECONDS, 60);
    return ArtifactStore.open(root(), conf);
  }

  private Publication publication(long seed) throws IOException {
    return Publication.fromDirectory(BuildOutputs.write(tmp.resolve("out-" + seed), seed)).signature("serving_default")
        .build();
  }

  /** Every object key under the root, relative to it. */
  private List<String> objects() throws IOException {
    FileSystem fs = FileSystem.newInstance(root(), s3.conf());
    try (fs) {
      List<String> out = new ArrayList<>();
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(new org.apache.hadoop.fs.Path(root()), true);
      while (it.hasNext()) {
        out.add(it.next().getPath().toUri().getPath().substring("/fleet/".length()));
      }
      return out;
    }
  }

  private String readObject(String rel) throws IOException {
    FileSystem fs = FileSystem.newInstance(root(), s3.conf());
    try (fs; InputStream in = fs.open(new org.apache.hadoop.fs.Path(root() + "/" + rel))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void publishReadBackAndListOverS3a() throws Exception {
    ArtifactStore store = store();
    TargetKey key = BuildOutputs.key("resnet50");
    Publication pub = publication(1);
    Manifest m = store.publish(key, pub);
    assertEquals(m, store.manifest(key).orElseThrow());
    assertEquals(7, m.files().size());
    assertEquals(2, m.engines().size());
    for (FileEntry f : m.files()) {
      assertEquals(ContentDigest.hex(java.nio.file.Files.readAllBytes(pub.files().get(f.path()))), f.sha256());
    }
    String prefix = "resnet50/" + key.modelDigest() + "/trt-10.6.0/h100-80gb-hbm3.sm90/INT8/";
    List<String> keys = objects();
    assertTrue(keys.contains(prefix + "manifest.json") && keys.contains(prefix + "engines/segment_0.plan")
        && keys.contains("resnet50/_index/v0000000001.json"), keys.toString());
    assertTrue(keys.stream().noneMatch(k -> k.startsWith("_staging/") && !k.startsWith("_staging/locks")),
        keys.toString());
    assertTrue(keys.stream().noneMatch(k -> k.startsWith("_staging/locks/")), "lock released: " + keys);

    List<IndexEntry> listed = store.list(Optional.empty()).entries();
    assertEquals(1, listed.size());
    assertEquals(prefix + "manifest.json", listed.get(0).manifest());
    assertEquals(m, store.publish(key, publication(2)), "a republish returns the committed build");

    // The commit, the lock and each index version are conditional PUTs (atomic create-if-absent on AWS S3).
    assertTrue(logs.lines().stream().anyMatch(l -> l.contains("If-None-Match: *")), "no conditional create sent");

    for (String doc : List.of(prefix + "manifest.json", "resnet50/_index/v0000000001.json")) {
      String text = readObject(doc);
      assertFalse(text.contains(S3ProxyServer.SECRET_KEY) || text.contains(S3ProxyServer.ACCESS_KEY), doc);
    }
  }

  @Test
  void aPublishKilledMidwayOverS3aLeavesNoManifestAndCleanupRemovesIt() throws Exception {
    ArtifactStore store = store();
    TargetKey key = BuildOutputs.key("cnn");
    ArtifactStore crashing = store.observed(step -> {
      if (step.equals("staged engines/segment_0.plan")) {
        throw new ArtifactStoreLocalTest.Killed(step);
      }
    });
    assertThrows(ArtifactStoreLocalTest.Killed.class, () -> crashing.publish(key, publication(1)));
    assertTrue(store.manifest(key).isEmpty());
    assertTrue(objects().stream().noneMatch(k -> k.startsWith("cnn/")), objects().toString());
    assertTrue(store.list(Optional.of("cnn")).entries().isEmpty());
    // The store marker, and in staging: the publish marker, calibration cache, one engine.
    assertEquals(4, objects().size(), objects().toString());

    assertEquals(1, store.cleanStaleStaging(Duration.ZERO));
    assertEquals(List.of("_trtfleet_store.json"), objects());
    store.publish(key, publication(1));
    assertEquals(1, store.list(Optional.of("cnn")).entries().size());
  }

  @Test
  void concurrentPublishersOverS3aAgreeOnOneBuild() throws Exception {
    StoreScenarios.concurrentPublishersAgreeOnOneBuild(store(), BuildOutputs.key("cnn"),
        List.of(publication(1), publication(2)),
        this::objects);
  }

  @Test
  void aPublisherWaitingOnALockSaysSoOnceInsteadOfPagesOfWarnings() throws Exception {
    ArtifactStore store = store();
    TargetKey key = BuildOutputs.key("cnn");
    String now = java.time.Instant.now().toString();
    FileSystem fs = store.fileSystem();
    try (var out = fs.create(new StoreLayout(new org.apache.hadoop.fs.Path(root())).lock(key), false)) {
      out.write(ManifestJson.write(new CommitLock.Holder("someone-else", key.toString(), now, now)));
    }
    Configuration conf = s3.conf();
    conf.setLong(ArtifactStore.LOCK_WAIT_SECONDS, 2);
    TrtfleetException e = assertThrows(TrtfleetException.class,
        () -> ArtifactStore.open(root(), conf).publish(key, publication(1)));
    assertTrue(e.getMessage().contains("someone-else") || e.getMessage().contains("commit lock"), e.getMessage());
    List<String> lines = logs.lines();
    assertEquals(1, lines.stream().filter(l -> l.contains("waiting for the commit lock")).count(), lines.toString());
    assertTrue(lines.stream().noneMatch(l -> l.contains("Transfer failure") || l.contains("Closing output stream")),
        "a refused conditional PUT per poll");
  }

  @Test
  void anUnreachableEndpointFailsFastWithOneLineNamingTheStore() throws Exception {
    int port = LoopbackPorts.unused();
    Configuration conf = S3ProxyServer.s3aConf("http://127.0.0.1:" + port, S3ProxyServer.ACCESS_KEY,
        S3ProxyServer.SECRET_KEY);
    long t0 = System.nanoTime();
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> {
      ArtifactStore store = ArtifactStore.open(root(), conf);
      store.publish(BuildOutputs.key("cnn"), publication(1));
    });
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(seconds < 30, "bounded retries, took " + seconds + " s");
    String msg = e.getMessage();
    assertFalse(msg.contains("\n"), msg);
    assertTrue(msg.contains(root().toString()), msg);
    System.out.println("unreachable: " + msg);
    assertNoSecrets(e);
  }

  @Test
  void aWrongSecretIsReportedWithoutEchoingCredentials() throws Exception {
    String wrongSecret = "wrong-" + S3ProxyServer.SECRET_KEY;
    Configuration conf = S3ProxyServer.s3aConf(s3.endpoint(), S3ProxyServer.ACCESS_KEY, wrongSecret);
    TrtfleetException e = assertThrows(TrtfleetException.class,
        () -> ArtifactStore.open(root(), conf).list(Optional.empty()));
    assertTrue(e.getMessage().contains(root().toString()), e.getMessage());
    System.out.println("wrong secret: " + e.getMessage());
    assertNoSecrets(e);
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains(wrongSecret), t.toString());
    }
  }

  private static void assertNoSecrets(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      assertFalse(m.contains(S3ProxyServer.SECRET_KEY) || m.contains(S3ProxyServer.ACCESS_KEY), t.toString());
      for (Throwable s : t.getSuppressed()) {
        assertNoSecrets(s);
      }
    }
  }
}
