package io.trtfleet.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.testing.S3ProxyServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random points: publishers in their own JVMs ({@link PublisherProcess}) are killed with
 * SIGKILL after a random number of publish steps (from JVM start to after the index update), one after
 * another; publisher i publishes keys i and i+1, so each one meets what its killed predecessor left of
 * key i (staging, a stale lock, moved files without a manifest, a commit without an index entry). After every kill the store must be consistent: every manifest's build
 * verifies byte for byte, no manifest is damaged, and the listing equals a rescan. Then cleanup removes
 * every leftover in staging, and republishing every key succeeds (stale locks broken).
 */
class StoreKillTest {

  /** Steps of one publish: 7 staged files, locked, 7 moved, before-manifest, committed, indexed, published. */
  private static final int STEPS_PER_KEY = 19;

  @TempDir
  Path tmp;

  @Test
  void killedPublishersOverFileLeaveAConsistentStore() throws Exception {
    Configuration conf = new Configuration();
    killAndCheck(tmp.resolve("store").toUri(), conf, Map.of(), 10);
  }

  @Test
  void killedPublishersOverS3aLeaveAConsistentStore() throws Exception {
    try (S3ProxyServer s3 = new S3ProxyServer("trtfleet-kill")) {
      Configuration conf = s3.conf();
      Map<String, String> settings = new LinkedHashMap<>();
      conf.getPropsWithPrefix("fs.s3a.").forEach((k, v) -> settings.put("fs.s3a." + k, v));
      killAndCheck(URI.create("s3a://trtfleet-kill/fleet"), conf, settings, 4);
    }
  }

  private void killAndCheck(URI root, Configuration conf, Map<String, String> childConf, int kills) throws Exception {
    long seed = System.nanoTime();
    System.out.println(root.getScheme() + " kill test seed " + seed);
    Random random = new Random(seed);
    conf.setLong(ArtifactStore.LOCK_STALE_SECONDS, 1);
    conf.setLong(ArtifactStore.LOCK_WAIT_SECONDS, 60);
    ArtifactStore store = ArtifactStore.open(root, conf);
    Map<String, Integer> killedAt = new TreeMap<>();
    long t0 = System.nanoTime();
    List<String> devices = new ArrayList<>();
    for (int i = 0; i <= kills; i++) {
      devices.add("dev-" + i);
    }
    for (int i = 0; i < kills; i++) {
      List<String> keys = devices.subList(i, i + 2);
      int after = random.nextInt(keys.size() * STEPS_PER_KEY);
      String step = runAndKill(root, childConf, i, keys, after);
      killedAt.merge(step.replaceAll(" .*", ""), 1, Integer::sum);
      assertConsistent(store, devices, "after kill " + (i + 1) + " at '" + step + "'");
    }
    int committed = 0;
    for (String d : devices) {
      committed += store.verify(key(d)).ok() ? 1 : 0;
    }
    List<String> staged = StoreScenarios.files(store).stream().filter(f -> f.startsWith("_staging/")).toList();
    int removed = store.cleanStaleStaging(Duration.ZERO);
    List<String> left = StoreScenarios.files(store).stream().filter(f -> f.startsWith("_staging/")).toList();
    assertEquals(List.of(), left, "cleanup left staging files");

    for (String d : devices) {
      Publication again = Publication.fromDirectory(BuildOutputs.write(tmp.resolve("again-" + d), 99)).build();
      store.publish(key(d), again);
      assertTrue(store.verify(key(d)).ok(), d);
    }
    assertConsistent(store, devices, "after republishing");
    assertEquals(devices.size(), store.list(Optional.empty()).entries().size());
    assertEquals(devices.size(), StoreScenarios.indexedManifests(store, "cnn").size(), "index complete");
    System.out.printf("%s: %d kills (at %s) in %.1f s; %d of %d keys committed by the killed publishers, "
        + "%d staging files and locks left, %d removed by cleanup, 0 left; every key republished%n",
        root.getScheme(), kills, killedAt, (System.nanoTime() - t0) / 1e9, committed, devices.size(), staged.size(),
        removed);
  }

  /** Starts a publisher JVM and SIGKILLs it once it printed {@code after} steps; returns the last step. */
  private String runAndKill(URI root, Map<String, String> childConf, int i, List<String> keys, int after)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        PublisherProcess.class.getName(), root.toString(), tmp.resolve("out-" + i).toString(), String.valueOf(i)));
    cmd.addAll(keys);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put(PublisherProcess.CONF_ENV, PublisherProcess.confEnv(childConf));
    Process p = pb.start();
    String last = "nothing";
    int steps = 0;
    StringBuilder output = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        output.append(line).append('\n');
        if (line.startsWith(PublisherProcess.STEP)) {
          last = line.substring(PublisherProcess.STEP.length());
          if (!last.equals("started") && ++steps >= after) {
            break;
          }
          if (last.equals("started") && after == 0) {
            break;  // killed while opening the store
          }
        }
      }
      p.destroyForcibly();  // SIGKILL: no shutdown hooks, no finally blocks
      assertTrue(p.waitFor(PublisherProcess.CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "child did not die");
    }
    assertNotEquals("nothing", last, "the publisher never started: " + output);
    return last;
  }

  private static TargetKey key(String device) {
    TargetKey base = BuildOutputs.key("cnn");
    return new TargetKey(base.model(), base.modelDigest(), base.backend(), device, base.precision());
  }

  /** Every committed build verifies, no manifest is damaged, and listing equals a rescan. */
  private static void assertConsistent(ArtifactStore store, List<String> devices, String when) {
    Listing listing = store.list(Optional.empty());
    assertEquals(List.of(), listing.damaged(), when);
    assertEquals(store.rescan(Optional.empty()), listing, when);
    for (String d : devices) {
      Verification v = store.verify(key(d));
      assertNotEquals(Verification.Status.CORRUPT, v.status(), when + ": " + v.describe());
    }
    for (IndexEntry e : listing.entries()) {
      assertTrue(store.verify(e.key()).ok(), when + ": " + e);
    }
  }
}
