package io.trtfleet.store;

import io.trtfleet.store.StoreFiles.Snapshot;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathIsDirectoryException;

/**
 * The right to move files into one key's build folder and write its manifest. Final paths are shared by
 * everyone publishing that key, and builds are not byte-identical (TensorRT picks tactics by timing),
 * so only the lock holder may write there. The lock is a create-if-absent object under _staging/locks/;
 * the holder writes its publish id into it and reads it back, so a lost race is noticed.
 */
final class CommitLock {

  /** Heartbeats up to this far ahead of our clock are clock skew; beyond it they are not believed. */
  static final Duration SKEW = Duration.ofMinutes(1);

  /** The lock's JSON: who holds it, for which key, since when, and when it last said it is alive. */
  record Holder(String owner, String key, String since, String heartbeat) {}

  /**
   * What is at the lock's path. {@code holder} is empty when the lock is not a well-formed holder
   * record ({@code problem} says why: unreadable, a folder, a heartbeat in the future); {@code heartbeat}
   * is the holder's own when believable, else the file's modification time. {@code fingerprint}
   * changes whenever the lock does, so a waiter can tell a silent lock from a live one without trusting
   * anyone's clock.
   */
  record State(Optional<Holder> holder, Instant heartbeat, String fingerprint, String problem, boolean folder) {

    String owner() {
      return holder.map(Holder::owner).orElse("unknown");
    }

    Duration silence() {
      return Duration.between(heartbeat, Instant.now());
    }
  }

  private final FileSystem fs;
  private final Path path;
  private final String owner;
  private final Duration beatEvery;
  private long lastBeat;

  /** @param beatEvery how often {@link #heartbeat} rewrites the lock (a fraction of the stale period) */
  CommitLock(FileSystem fs, Path path, String owner, Duration beatEvery) {
    this.fs = fs;
    this.path = path;
    this.owner = owner;
    this.beatEvery = beatEvery;
  }

  /** True when this publisher now holds the lock; false when something else is there. */
  boolean tryAcquire(TargetKey key) throws IOException {
    if (fs.exists(path)) {
      return false;  // look first: on S3 a refused conditional PUT costs a page of S3A WARN lines
    }
    try {
      String now = Instant.now().toString();
      StoreFiles.writeNew(fs, path, ManifestJson.write(new Holder(owner, key.toString(), now, now)));
    } catch (IOException e) {
      if (StoreFiles.isAlreadyExists(e)) {
        return false;
      }
      throw e;
    }
    // Where create-if-absent is check-then-write (S3 stores without If-None-Match), two writers can
    // both succeed; the later write wins and the read-back tells the earlier one it lost.
    lastBeat = System.nanoTime();
    return state().flatMap(State::holder).map(h -> h.owner().equals(owner)).orElse(false);
  }

  /**
   * What is at the lock's path, or empty when nothing is. A lock caught mid-rewrite reads as
   * unreadable with a fresh modification time, so it counts as alive; one left empty or malformed by a
   * publisher that died goes stale like any silent holder.
   */
  Optional<State> state() throws IOException {
    Optional<Snapshot> s;
    try {
      s = StoreFiles.read(fs, path);
    } catch (PathIsDirectoryException e) {
      return folderState();
    } catch (ChecksumException e) {
      s = Optional.of(new Snapshot(new byte[0], "", modified().orElse(0L)));  // read mid-rewrite
    } catch (IOException e) {
      if (!StoreFiles.causedBy(e, "RemoteFileChangedException")) {
        throw e;
      }
      // S3A saw the lock object change between its HEAD and GET (the holder's heartbeat): mid-rewrite too.
      s = Optional.of(new Snapshot(new byte[0], "", modified().orElse(0L)));
    }
    if (s.isEmpty()) {
      return Optional.empty();
    }
    Instant modified = Instant.ofEpochMilli(s.get().modified());
    String fingerprint = s.get().sha256() + "@" + s.get().modified();
    Holder h;
    try {
      h = ManifestJson.read(s.get().bytes(), Holder.class);
      if (h.owner() == null || h.heartbeat() == null || h.since() == null) {
        return Optional.of(new State(Optional.empty(), modified, fingerprint, "not a holder record", false));
      }
      Instant beat = Instant.parse(h.heartbeat());
      if (beat.isAfter(Instant.now().plus(SKEW))) {
        return Optional.of(new State(Optional.of(h), modified, fingerprint,
            "its heartbeat " + h.heartbeat() + " is in the future", false));
      }
      return Optional.of(new State(Optional.of(h), beat, fingerprint, null, false));
    } catch (IOException | DateTimeParseException e) {
      return Optional.of(new State(Optional.empty(), modified, fingerprint, "unreadable", false));
    }
  }

  /** A folder where the lock file should be: nothing trtfleet writes; its newest file dates it. */
  private Optional<State> folderState() throws IOException {
    try {
      FileStatus st = fs.getFileStatus(path);
      long newest = StoreFiles.newest(fs, st);
      return Optional.of(new State(Optional.empty(), Instant.ofEpochMilli(newest), "folder@" + newest,
          "it is a folder, not a lock file", true));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }

  private Optional<Long> modified() throws IOException {
    try {
      return Optional.of(fs.getFileStatus(path).getModificationTime());
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * The holder's heartbeat, called after each file it moves: rewrites the lock once {@code beatEvery}
   * has passed since the last time. A lock whose holder stays silent for the stale period is taken to be
   * abandoned (a killed executor) and may be broken by the next publisher.
   */
  void heartbeat() throws IOException {
    if (System.nanoTime() - lastBeat >= beatEvery.toNanos()) {
      refresh();
    }
  }

  /** Rewrites the lock's heartbeat, or fails when another publisher broke the lock as stale. */
  void refresh() throws IOException {
    Optional<Holder> h = state().flatMap(State::holder);
    if (h.isEmpty() || !h.get().owner().equals(owner)) {
      throw new IOException("lost the commit lock " + path + " (now " + h.map(Holder::owner).orElse("free")
          + "): another publisher took it as stale; not committing");
    }
    StoreFiles.replaceSmall(fs, path,
        ManifestJson.write(new Holder(owner, h.get().key(), h.get().since(), Instant.now().toString())));
    lastBeat = System.nanoTime();
  }

  /** Deletes an abandoned lock, unless it changed since {@code seen} was read (its holder came back). */
  void breakStale(State seen) throws IOException {
    Optional<State> now = state();
    if (now.isPresent() && now.get().fingerprint().equals(seen.fingerprint())) {
      fs.delete(path, seen.folder());
    }
  }

  /** Deletes the lock if this publisher still holds it. */
  void release() throws IOException {
    if (state().flatMap(State::holder).map(h -> h.owner().equals(owner)).orElse(false)) {
      fs.delete(path, false);
    }
  }

  Path path() {
    return path;
  }
}
