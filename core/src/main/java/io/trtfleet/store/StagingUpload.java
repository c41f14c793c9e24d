package io.trtfleet.store;

import io.trtfleet.store.Manifest.FileEntry;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Step 1 of a publish: every file goes to {@code <root>/_staging/<publish-id>/}, a prefix no reader
 * looks at, and is read back and checked (size and sha256) before anything is committed.
 */
final class StagingUpload {

  /** Written first into a staging folder: whose it is and since when (for people looking at leftovers). */
  record Marker(String publishId, String key, String started) {}

  static final String MARKER = "_publish.json";

  private final FileSystem fs;
  private final Path staging;
  private final ArtifactStore.Observer observer;

  StagingUpload(FileSystem fs, Path staging, ArtifactStore.Observer observer) {
    this.fs = fs;
    this.staging = staging;
    this.observer = observer;
  }

  List<FileEntry> upload(TargetKey key, Publication pub) throws IOException {
    StoreFiles.writeNew(fs, new Path(staging, MARKER),
        ManifestJson.write(new Marker(staging.getName(), key.toString(), Instant.now().toString())));
    List<FileEntry> out = new ArrayList<>();
    for (Map.Entry<String, java.nio.file.Path> f : pub.files().entrySet()) {
      Path dest = new Path(staging, f.getKey());
      FileEntry sent = StoreFiles.upload(fs, f.getValue(), dest, f.getKey());
      StoreFiles.verify(fs, dest, sent);  // what the store holds, not what we meant to send
      out.add(sent);
      observer.step("staged " + f.getKey());
    }
    return out;
  }
}
