package io.trtfleet.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.store.Manifest.FileEntry;
import io.trtfleet.testing.LoopbackPorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store over hdfs:// against an in-process HDFS (a NameNode and a DataNode in this JVM). HDFS is a
 * file system, not an object store: the commit, the lock and the index go through create-if-absent and
 * rename, which HDFS does atomically and never over an existing file.
 */
class ArtifactStoreHdfsTest {

  private static MiniDFSCluster cluster;
  private static int rootSeq;

  @TempDir
  static Path hdfsData;

  @TempDir
  Path tmp;

  private URI root;

  @BeforeAll
  static void startHdfs() throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, hdfsData.toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  @BeforeEach
  void freshRoot() {
    root = URI.create(cluster.getURI() + "/fleet-" + rootSeq++); // a root per test: no state leaks between tests
  }

  private ArtifactStore store() {
    return ArtifactStore.open(root, cluster.getConfiguration(0));
  }

  private Publication publication(long seed) throws IOException {
    return Publication.fromDirectory(BuildOutputs.write(tmp.resolve("out-" + seed), seed)).signature("serving_default")
        .build();
  }

  /** Every file under the root, relative to it. */
  private List<String> files() throws IOException {
    try (FileSystem fs = FileSystem.newInstance(root, cluster.getConfiguration(0))) {
      org.apache.hadoop.fs.Path base = new org.apache.hadoop.fs.Path(root);
      List<String> out = new ArrayList<>();
      if (!fs.exists(base)) {
        return out;
      }
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(base, true);
      while (it.hasNext()) {
        out.add(it.next().getPath().toUri().getPath().substring(root.getPath().length() + 1));
      }
      return out;
    }
  }

  private byte[] read(String rel) throws IOException {
    try (FileSystem fs = FileSystem.newInstance(root, cluster.getConfiguration(0));
        InputStream in = fs.open(new org.apache.hadoop.fs.Path(root + "/" + rel))) {
      return in.readAllBytes();
    }
  }

  @Test
  void publishReadBackAndListOverHdfs() throws Exception {
    ArtifactStore store = store();
    TargetKey key = BuildOutputs.key("resnet50");
    Publication pub = publication(1);
    Manifest m = store.publish(key, pub);
    assertEquals(m, store.manifest(key).orElseThrow());
    assertEquals(2, m.engines().size());
    String prefix = "resnet50/" + key.modelDigest() + "/trt-10.6.0/h100-80gb-hbm3.sm90/INT8/";
    for (FileEntry f : m.files()) {
      assertArrayEquals(Files.readAllBytes(pub.files().get(f.path())), read(prefix + f.path()), f.path());
    }
    List<String> files = files();
    assertTrue(files.contains(prefix + "manifest.json") && files.contains("resnet50/_index/v0000000001.json"), files.toString());
    assertTrue(files.stream().noneMatch(f -> f.startsWith("_staging/")), "staging and lock cleaned up: " + files);

    List<IndexEntry> listed = store.list(Optional.empty()).entries();
    assertEquals(1, listed.size());
    assertEquals(prefix + "manifest.json", listed.get(0).manifest());
    assertEquals(m, store.publish(key, publication(2)), "a republish returns the committed build");
  }

  @Test
  void aPublishKilledWhileMovingOverHdfsLeavesNoManifestAndARepublishReplacesTheLeftovers() throws Exception {
    TargetKey key = BuildOutputs.key("cnn");
    String prefix = "cnn/" + key.modelDigest() + "/trt-10.6.0/h100-80gb-hbm3.sm90/INT8/";
    StoreScenarios.aPublishKilledWhileMovingIsReplacedByTheNext(store(), key, publication(1), publication(2),
        path -> files().contains(prefix + path) ? read(prefix + path) : null);
  }

  @Test
  void concurrentPublishersOverHdfsAgreeOnOneBuild() throws Exception {
    StoreScenarios.concurrentPublishersAgreeOnOneBuild(store(), BuildOutputs.key("cnn"),
        List.of(publication(1), publication(2)),
        this::files);
  }

  @Test
  void eightPublishersOfThreeKeysEachOverHdfsLoseNoIndexEntry() throws Exception {
    StoreScenarios.concurrentPublishersOfManyKeysLoseNoEntry(store(), 8, 3, tmp, this::files);
  }

  @Test
  void anUnreachableNameNodeFailsWithOneLineNamingTheStore() throws Exception {
    int port = LoopbackPorts.unused();
    URI nowhere = URI.create("hdfs://127.0.0.1:" + port + "/fleet");
    Configuration conf = new Configuration();
    conf.setInt("ipc.client.connect.max.retries", 1); // Hadoop's default is 10 retries a second apart
    TrtfleetException e = assertThrows(TrtfleetException.class,
        () -> ArtifactStore.open(nowhere, conf).publish(BuildOutputs.key("cnn"), publication(1)));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());
    System.out.println("unreachable: " + e.getMessage());
  }
}
