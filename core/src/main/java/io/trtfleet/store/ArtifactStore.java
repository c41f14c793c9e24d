package io.trtfleet.store;

import io.trtfleet.Messages;
import io.trtfleet.TrtfleetException;
import io.trtfleet.store.Manifest.FileEntry;
import io.trtfleet.store.StoreFiles.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The artifact store: published builds under one root URI (file://, s3a://, hdfs://, anything with a
 * Hadoop FileSystem). Readers trust only manifests; {@link #publish} stages, verifies, then commits by
 * writing the manifest last (docs/publishing.md has the step-by-step crash argument).
 */
public final class ArtifactStore {

  private static final Logger LOG = LoggerFactory.getLogger(ArtifactStore.class);
  /** How long a publisher waits for another one holding the same key's commit lock (default 900). */
  public static final String LOCK_WAIT_SECONDS = "trtfleet.publish.lock-wait-seconds";
  /** How long a lock holder may stay silent (no heartbeat) before others break its lock (default 600). */
  public static final String LOCK_STALE_SECONDS = "trtfleet.publish.lock-stale-seconds";

  /** Called at each publish step; tests use it to stop a publish midway as a crash would. */
  interface Observer {
    void step(String step) throws IOException;
  }

  private final URI uri;
  private final FileSystem fs;
  private final StoreLayout layout;
  private final Secrets secrets;
  private final Duration lockWait;
  private final Duration lockStale;
  private final Observer observer;

  private ArtifactStore(URI uri, FileSystem fs, StoreLayout layout, Secrets secrets, Duration lockWait,
      Duration lockStale, Observer observer) {
    this.uri = uri;
    this.fs = fs;
    this.layout = layout;
    this.secrets = secrets;
    this.lockWait = lockWait;
    this.lockStale = lockStale;
    this.observer = observer;
  }

  /** Opens the store at {@code root} (a path without a scheme means the local file system). */
  public static ArtifactStore open(URI root, Configuration conf) {
    if (root.getUserInfo() != null) {
      // Keys in the URI end up in logs and Spark UIs: refuse them and do not echo the URI.
      throw new TrtfleetException("artifact store URI must not contain credentials: set fs.s3a.access.key and "
          + "fs.s3a.secret.key (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) instead");
    }
    Secrets secrets = Secrets.of(conf);
    try {
      Path rootPath = new Path(root);
      FileSystem fs = rootPath.getFileSystem(conf);
      Path qualified = fs.makeQualified(rootPath);
      Duration wait = Duration.ofSeconds(conf.getLong(LOCK_WAIT_SECONDS, 900));
      Duration stale = Duration.ofSeconds(conf.getLong(LOCK_STALE_SECONDS, 600));
      return new ArtifactStore(qualified.toUri(), fs, new StoreLayout(qualified), secrets, wait, stale, s -> {});
    } catch (IOException | RuntimeException e) {
      throw failure("open", root, null, e, secrets);
    }
  }

  /** The same store with an observer of publish steps (tests inject crashes through it). */
  ArtifactStore observed(Observer o) {
    return new ArtifactStore(uri, fs, layout, secrets, lockWait, lockStale, o);
  }

  public URI uri() {
    return uri;
  }

  /** Whether anything is at the root (a mistyped root lists no builds, like a new one, but does not exist). */
  public boolean exists() {
    try {
      return fs.exists(layout.root());
    } catch (IOException | RuntimeException e) {
      throw failure("look at", uri, null, e, secrets);
    }
  }

  /** The committed manifest of {@code key}, if there is one. */
  public Optional<Manifest> manifest(TargetKey key) {
    try {
      return readManifest(key);
    } catch (IOException | RuntimeException e) {
      throw failure("read the manifest of", uri, key, e, secrets);
    }
  }

  /**
   * Publishes {@code pub} as {@code key}: atomic (a manifest exists only once every file it lists is in
   * place and verified) and idempotent (an existing manifest is verified and returned, which Spark task
   * retries and speculative copies rely on).
   */
  public Manifest publish(TargetKey key, Publication pub) {
    try {
      Optional<Manifest> existing = readManifest(key);
      if (existing.isPresent()) {
        return adopt(existing.get());
      }
      return stageAndCommit(key, pub);
    } catch (IOException | RuntimeException e) {
      throw failure("publish", uri, key, e, secrets);
    }
  }

  /** The index entries of one model or of all models (scanning manifests where an index is missing or stale). */
  public List<IndexEntry> list(Optional<String> model) {
    model.ifPresent(m -> TargetKey.name("model name", m));
    try {
      List<String> models = model.isPresent() ? List.of(model.get()) : models();
      List<IndexEntry> out = new ArrayList<>();
      IndexUpdater index = new IndexUpdater(fs, layout);
      for (String m : models) {
        Optional<List<IndexEntry>> cached = index.read(m);
        if (cached.isPresent() && allExist(cached.get())) {
          out.addAll(cached.get());
        } else {
          out.addAll(index.scan(m));
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw failure("list", uri, null, e, secrets);
    }
  }

  /** Rebuilds a model's index from its manifests (after a crash between manifest and index, for instance). */
  public List<IndexEntry> rebuildIndex(String model) {
    TargetKey.name("model name", model);
    try {
      return new IndexUpdater(fs, layout).rebuild(model);
    } catch (IOException | RuntimeException e) {
      throw failure("rebuild the index of " + model + " in", uri, null, e, secrets);
    }
  }

  /**
   * Deletes staging folders and commit locks untouched for {@code olderThan} (left by killed publishers);
   * returns how many it removed. Committed builds are never touched.
   */
  public int cleanStaleStaging(Duration olderThan) {
    try {
      Path staging = layout.stagingRoot();
      if (!fs.exists(staging)) {
        return 0;
      }
      long cutoff = Instant.now().minus(olderThan).toEpochMilli();
      int removed = 0;
      for (FileStatus st : fs.listStatus(staging)) {
        String name = st.getPath().getName();
        if (name.equals(StoreLayout.LOCKS)) {
          for (FileStatus lock : fs.listStatus(st.getPath())) {
            if (lock.getModificationTime() <= cutoff && fs.delete(lock.getPath(), false)) {
              LOG.info("removed stale commit lock {}", lock.getPath());
              removed++;
            }
          }
        } else if (newest(st) <= cutoff && fs.delete(st.getPath(), true)) {
          LOG.info("removed stale staging {}", st.getPath());
          removed++;
        }
      }
      return removed;
    } catch (IOException | RuntimeException e) {
      throw failure("clean staging in", uri, null, e, secrets);
    }
  }

  private Manifest stageAndCommit(TargetKey key, Publication pub) throws IOException {
    String id = UUID.randomUUID().toString();
    Path staging = layout.staging(id);
    CommitLock lock = new CommitLock(fs, layout.lock(key), id);
    boolean locked = false;
    try {
      List<FileEntry> staged = new StagingUpload(fs, staging, observer).upload(key, pub);
      locked = acquire(lock, key);
      if (!locked) {
        Manifest theirs = readManifest(key).orElseThrow(() -> new IOException("lock released without a manifest"));
        deleteStaging(staging);
        return adopt(theirs);
      }
      observer.step("locked");
      Optional<Manifest> raced = readManifest(key);  // committed between our first look and the lock
      if (raced.isPresent()) {
        release(lock);
        locked = false;
        deleteStaging(staging);
        return adopt(raced.get());
      }
      Manifest manifest = ManifestBuilder.build(key, pub, staged, id);
      try {
        new Promotion(fs, layout, observer, lock).promote(key, staging, staged, manifest);
      } catch (FileAlreadyExistsException e) {
        // Only where the lock's create-if-absent is not atomic: the other commit won; adopt verifies it.
        LOG.warn("{} was committed concurrently; verifying that build", key);
        release(lock);
        locked = false;
        deleteStaging(staging);
        return adopt(readManifest(key).orElseThrow(() -> e));
      }
      release(lock);
      locked = false;
      deleteStaging(staging);
      LOG.info("published {} to {}", key, layout.target(key));
      new IndexUpdater(fs, layout).add(manifest);
      observer.step("indexed");
      return manifest;
    } catch (IOException | RuntimeException e) {
      // An exception leaves this JVM able to clean up; a crash leaves staging for cleanStaleStaging.
      if (locked) {
        try {
          release(lock);
        } catch (IOException | RuntimeException r) {
          e.addSuppressed(r);
        }
      }
      try {
        deleteStaging(staging);
      } catch (IOException | RuntimeException d) {
        e.addSuppressed(d);
      }
      throw e;
    }
  }

  /** Takes the key's lock, or waits for its holder to commit (then false) or give up the lock. */
  private boolean acquire(CommitLock lock, TargetKey key) throws IOException {
    Instant deadline = Instant.now().plus(lockWait);
    while (true) {
      if (lock.tryAcquire(key)) {
        return true;
      }
      if (readManifest(key).isPresent()) {
        return false;
      }
      Optional<CommitLock.Holder> holder = lock.holder();
      if (holder.isPresent() && holder.get().silence().compareTo(lockStale) > 0) {
        LOG.warn("breaking the commit lock {} of {}: its holder {} has been silent since {}", lock.path(), key,
            holder.get().owner(), holder.get().heartbeat());
        lock.breakStale(holder.get());
        continue;
      }
      if (Instant.now().isAfter(deadline)) {
        String since = lock.holder().map(CommitLock.Holder::since).orElse("unknown");
        throw new TrtfleetException("another publisher has held the commit lock " + lock.path() + " of " + key
            + " since " + since + " without committing; if it died, its lock is broken after " + LOCK_STALE_SECONDS
            + " (" + lockStale.toSeconds() + " s) of silence, or run cleanStaleStaging, then publish again");
      }
      sleep(250);
    }
  }

  /** An existing build: verify every listed file before handing it out, and make sure the index has it. */
  private Manifest adopt(Manifest m) throws IOException {
    Path target = layout.target(m.key());
    for (FileEntry f : m.files()) {
      try {
        StoreFiles.verify(fs, new Path(target, f.path()), f);
      } catch (IOException e) {
        throw new TrtfleetException("the build " + target + " does not match its manifest (" + e.getMessage()
            + "): it was changed after publishing; delete that folder and publish again", e);
      }
    }
    new IndexUpdater(fs, layout).add(m);
    return m;
  }

  private Optional<Manifest> readManifest(TargetKey key) throws IOException {
    Optional<Snapshot> s = StoreFiles.read(fs, layout.manifest(key));
    if (s.isEmpty()) {
      return Optional.empty();
    }
    Manifest m;
    try {
      m = ManifestJson.manifest(s.get().bytes());
    } catch (IOException e) {
      throw new TrtfleetException("manifest " + layout.manifest(key) + " is unreadable (" + Messages.firstLine(
          e.getMessage()) + ")", e);
    }
    if (!m.key().equals(key)) {
      throw new TrtfleetException("manifest " + layout.manifest(key) + " describes " + m.key() + ", not " + key);
    }
    return Optional.of(m);
  }

  private List<String> models() throws IOException {
    if (!fs.exists(layout.root())) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (FileStatus st : fs.listStatus(layout.root())) {
      String n = st.getPath().getName();
      if (st.isDirectory() && !n.startsWith("_") && !n.startsWith(".")) {
        out.add(n);
      }
    }
    out.sort(String::compareTo);
    return out;
  }

  private boolean allExist(List<IndexEntry> entries) throws IOException {
    for (IndexEntry e : entries) {
      if (!fs.exists(new Path(layout.root(), e.manifest()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Newest modification time of the files under a staging folder. Object stores have no folders, so
   * S3A makes up a folder's time: only the files' times count, the folder's only when it is empty.
   */
  private long newest(FileStatus dir) throws IOException {
    if (!dir.isDirectory()) {
      return dir.getModificationTime();
    }
    long t = Long.MIN_VALUE;
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir.getPath(), true);
    while (it.hasNext()) {
      t = Math.max(t, it.next().getModificationTime());
    }
    return t == Long.MIN_VALUE ? dir.getModificationTime() : t;
  }

  private void release(CommitLock lock) throws IOException {
    lock.release();
  }

  private void deleteStaging(Path staging) throws IOException {
    if (fs.exists(staging)) {
      fs.delete(staging, true);
    }
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for a commit lock");
    }
  }

  /** One line naming the store and what failed, credentials removed (also from the causes' messages). */
  private static TrtfleetException failure(String action, URI store, TargetKey key, Throwable e, Secrets secrets) {
    if (e instanceof TrtfleetException t && !containsSecret(t, secrets)) {
      return t;
    }
    if (e instanceof UncheckedIOException u && u.getCause() != null) {
      e = u.getCause();
    }
    String what = key == null ? "" : " " + key;
    String msg = "cannot " + action + what + " in artifact store " + store + " ("
        + Messages.rootFirstLine(e) + "): check the store URI, the network and the store's credentials";
    return new TrtfleetException(secrets.redact(msg), containsSecret(e, secrets) ? redacted(e, secrets) : e);
  }

  private static boolean containsSecret(Throwable e, Secrets secrets) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (m != null && !m.equals(secrets.redact(m))) {
        return true;
      }
    }
    return false;
  }

  /** A stand-in cause with the original's type name and stack, message redacted. */
  private static IOException redacted(Throwable e, Secrets secrets) {
    IOException r = new IOException(e.getClass().getName() + ": " + secrets.redact(e.getMessage()));
    r.setStackTrace(e.getStackTrace());
    return r;
  }
}
