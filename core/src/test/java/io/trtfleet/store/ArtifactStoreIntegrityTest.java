package io.trtfleet.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.store.Manifest.FileEntry;
import io.trtfleet.store.Verification.Status;
import io.trtfleet.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged builds on file://: every read path (verify, list, download, a republish) finds a truncated,
 * changed or missing file and an unreadable manifest, names it, and never hands the build out; a
 * damaged manifest costs its own key only.
 */
class ArtifactStoreIntegrityTest {

  @TempDir
  Path tmp;

  private ArtifactStore store() {
    return ArtifactStore.open(tmp.resolve("store").toUri(), new Configuration(false));
  }

  private Publication publication(long seed) throws IOException {
    return Publication.fromDirectory(BuildOutputs.write(tmp.resolve("out-" + seed), seed)).build();
  }

  private Path target(TargetKey k) {
    return tmp.resolve("store").resolve(k.model()).resolve(k.modelDigest()).resolve(k.backend())
        .resolve(k.deviceKey()).resolve(k.precision());
  }

  /** Changes a stored file behind the store's back (and its .crc, as an editor or a bad disk would not). */
  private void damage(TargetKey key, String path, byte[] bytes) throws IOException {
    Path f = target(key).resolve(path);
    Files.write(f, bytes);
    Files.deleteIfExists(f.resolveSibling("." + f.getFileName() + ".crc"));
  }

  /** A key of the cnn model on device {@code device}. */
  private static TargetKey key(String device) {
    TargetKey k = BuildOutputs.key("cnn");
    return new TargetKey(k.model(), k.modelDigest(), k.backend(), device, k.precision());
  }

  @Test
  void truncatedChangedAndMissingFilesAreCorruptNamingTheFile() throws Exception {
    ArtifactStore store = store();
    TargetKey truncated = key("h100");
    TargetKey changed = key("l4");
    TargetKey missing = key("a10");
    TargetKey checksum = key("t4");
    for (TargetKey k : List.of(truncated, changed, missing, checksum)) {
      store.publish(k, publication(1));
      assertEquals(Status.OK, store.verify(k).status());
    }
    byte[] plan = Files.readAllBytes(target(truncated).resolve("engines/segment_0.plan"));
    damage(truncated, "engines/segment_0.plan", java.util.Arrays.copyOf(plan, plan.length / 2));
    byte[] flipped = plan.clone();
    flipped[1234] ^= 1;
    damage(changed, "engines/segment_0.plan", flipped);
    Files.delete(target(missing).resolve("report/summary.txt"));
    // Same size, .crc kept: the local file system's own checksum catches it first.
    Files.write(target(checksum).resolve("engines/segment_0.plan"), flipped);

    assertEquals("corrupt: file engines/segment_0.plan has " + plan.length / 2 + " bytes, the manifest lists "
        + plan.length, store.verify(truncated).describe());
    assertTrue(store.verify(changed).describe().startsWith("corrupt: file engines/segment_0.plan sha256 mismatch"),
        store.verify(changed).describe());
    assertEquals("corrupt: file report/summary.txt is missing", store.verify(missing).describe());
    assertTrue(store.verify(checksum).describe().startsWith("corrupt: file engines/segment_0.plan"),
        store.verify(checksum).describe());
    assertEquals(Status.MISSING, store.verify(key("a100")).status());
    assertTrue(store.verify(changed).manifest().isPresent(), "the manifest itself is fine");

    Path dest = tmp.resolve("downloaded");
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> store.download(changed, dest));
    assertTrue(e.getMessage().contains("corrupt: file engines/segment_0.plan sha256 mismatch")
        && e.getMessage().contains("nothing was downloaded"), e.getMessage());
    assertFalse(Files.exists(dest), "no partial download");
    try (var siblings = Files.list(tmp)) {
      assertTrue(siblings.noneMatch(p -> p.getFileName().toString().contains(".download-")), "temporary folder removed");
    }
  }

  @Test
  void aDamagedBuildIsReplacedByTheNextPublishWithAWarning() throws Exception {
    ArtifactStore store = store();
    TargetKey key = key("h100");
    Manifest first = store.publish(key, publication(1));
    damage(key, "engines/segment_1.plan", new byte[] {1, 2, 3});
    Publication rebuilt = publication(2);
    Manifest second;
    try (LogCapture logs = new LogCapture("io.trtfleet.store")) {
      second = store.publish(key, rebuilt);
      assertTrue(logs.lines().stream().anyMatch(l -> l.contains("replacing the damaged build") && l.contains(
          "engines/segment_1.plan")), logs.lines().toString());
    }
    assertFalse(first.publishId().equals(second.publishId()), "a new build, not the damaged one");
    assertTrue(store.verify(key).ok());
    for (FileEntry f : second.files()) {
      assertArrayEquals(Files.readAllBytes(rebuilt.files().get(f.path())), Files.readAllBytes(target(key).resolve(f.path())));
    }
    assertEquals(store.rescan(Optional.empty()), store.list(Optional.empty()));
  }

  @Test
  void anUnreadableManifestCostsItsOwnKeyOnly() throws Exception {
    ArtifactStore store = store();
    TargetKey bad = key("h100");
    TargetKey good = key("l4");
    TargetKey escaping = key("a10");
    store.publish(bad, publication(1));
    store.publish(good, publication(2));
    store.publish(escaping, publication(3));
    Path manifest = target(bad).resolve("manifest.json");
    byte[] json = Files.readAllBytes(manifest);
    Files.write(manifest, java.util.Arrays.copyOf(json, json.length / 3));
    // A manifest that would send a reader outside the build folder is not a manifest.
    Path m3 = target(escaping).resolve("manifest.json");
    Files.writeString(m3, Files.readString(m3).replace("\"report/summary.txt\"", "\"report/../../../../x\""));

    Verification v = store.verify(bad);
    assertEquals(Status.CORRUPT, v.status());
    assertTrue(v.describe().startsWith("corrupt: manifest.json is unreadable"), v.describe());
    assertEquals(Status.CORRUPT, store.verify(escaping).status(), store.verify(escaping).describe());
    assertTrue(store.verify(good).ok());
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> store.manifest(bad));
    assertTrue(e.getMessage().contains(bad.toString()) && !e.getMessage().contains("\n"), e.getMessage());

    Listing listing = store.list(Optional.empty());
    assertEquals(List.of("l4"), listing.entries().stream().map(IndexEntry::deviceKey).toList());
    assertEquals(List.of(Optional.of(escaping), Optional.of(bad)),
        listing.damaged().stream().map(Listing.Damaged::key).toList(), listing.damaged().toString());
    assertEquals(listing, store.rescan(Optional.empty()));

    store.publish(bad, publication(4));
    assertTrue(store.verify(bad).ok(), "republished over the damaged manifest");
    assertEquals(1, store.list(Optional.empty()).damaged().size());
  }

  @Test
  void downloadCopiesAVerifiedBuildWithItsManifest() throws Exception {
    ArtifactStore store = store();
    TargetKey key = key("h100");
    Publication pub = publication(1);
    Manifest m = store.publish(key, pub);
    Path dest = tmp.resolve("consumer/cnn-int8");
    assertEquals(m, store.download(key, dest));
    for (FileEntry f : m.files()) {
      assertArrayEquals(Files.readAllBytes(pub.files().get(f.path())), Files.readAllBytes(dest.resolve(f.path())));
    }
    assertEquals(m, ManifestJson.manifest(Files.readAllBytes(dest.resolve("manifest.json"))));
    TrtfleetException notEmpty = assertThrows(TrtfleetException.class, () -> store.download(key, dest));
    assertTrue(notEmpty.getMessage().contains("not an empty folder"), notEmpty.getMessage());
    TrtfleetException missing = assertThrows(TrtfleetException.class,
        () -> store.download(key("l4"), tmp.resolve("other")));
    assertTrue(missing.getMessage().contains("is missing"), missing.getMessage());
  }
}
