package io.trtfleet.store;

import io.trtfleet.Messages;
import io.trtfleet.Secrets;
import io.trtfleet.TrtfleetException;
import io.trtfleet.store.Manifest.FileEntry;
import io.trtfleet.store.StoreFiles.Snapshot;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathIsDirectoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The artifact store: published builds under one root URI (file://, s3a://, hdfs://, anything with a
 * Hadoop FileSystem). Readers trust only manifests, and only after checking the bytes they list
 * ({@link #verify}, {@link #download}); {@link #publish} stages, verifies, then commits by writing the
 * manifest last; listings come from the manifests themselves (docs/publishing.md has the step-by-step
 * crash argument).
 */
public final class ArtifactStore {

  private static final Logger LOG = LoggerFactory.getLogger(ArtifactStore.class);
  /** How long a publisher waits for another one holding the same key's commit lock (default 900). */
  public static final String LOCK_WAIT_SECONDS = "trtfleet.publish.lock-wait-seconds";
  /** How long a lock holder may stay silent (no heartbeat) before others break its lock (default 600). */
  public static final String LOCK_STALE_SECONDS = "trtfleet.publish.lock-stale-seconds";
  /**
   * How old (newest file) a staging folder or lock must be before {@link #cleanStaleStaging()} removes it
   * (default 3600): well above the longest upload of one file, since a live publisher's staging folder
   * gains a file per upload.
   */
  public static final String STAGING_LEASE_SECONDS = "trtfleet.publish.staging-lease-seconds";

  /** What is at the root: nothing, an empty folder, a store, or a folder that is not a store. */
  public enum RootState { MISSING, EMPTY, STORE, NOT_A_STORE }

  /** Called at each publish step; tests use it to stop a publish midway as a crash would. */
  interface Observer {
    void step(String step) throws IOException;
  }

  private static final long POLL_MIN_MS = 250;
  private static final long POLL_MAX_MS = 2000;

  private final URI uri;
  private final FileSystem fs;
  private final StoreLayout layout;
  private final Secrets secrets;
  private final Duration lockWait;
  private final Duration lockStale;
  private final Duration stagingLease;
  private final Observer observer;

  private ArtifactStore(URI uri, FileSystem fs, StoreLayout layout, Secrets secrets, Duration lockWait,
      Duration lockStale, Duration stagingLease, Observer observer) {
    this.uri = uri;
    this.fs = fs;
    this.layout = layout;
    this.secrets = secrets;
    this.lockWait = lockWait;
    this.lockStale = lockStale;
    this.stagingLease = stagingLease;
    this.observer = observer;
  }

  /** Opens the store at {@code root} (a path without a scheme means the local file system). */
  public static ArtifactStore open(URI root, Configuration conf) {
    // s3a://KEY:SEC/RET@bucket parses with "KEY:SEC" as the host and the rest as a path: any '@' counts.
    if (root.getRawUserInfo() != null
        || !"file".equals(root.getScheme()) && String.valueOf(root.getRawSchemeSpecificPart()).contains("@")) {
      // Keys in the URI end up in logs and Spark UIs: refuse them and do not echo the URI.
      throw new TrtfleetException("an artifact store URI must not contain credentials (they end up in logs and"
          + " Spark UIs); use a Hadoop credential provider (hadoop.security.credential.provider.path), the AWS"
          + " environment variables or fs.s3a.access.key/fs.s3a.secret.key instead (docs/publishing.md)");
    }
    Secrets secrets = Secrets.of(conf);
    try {
      Path rootPath = new Path(root);
      FileSystem fs = rootPath.getFileSystem(conf);
      Path qualified = fs.makeQualified(rootPath);
      return new ArtifactStore(qualified.toUri(), fs, new StoreLayout(qualified), secrets,
          seconds(conf, LOCK_WAIT_SECONDS, 900), seconds(conf, LOCK_STALE_SECONDS, 600),
          seconds(conf, STAGING_LEASE_SECONDS, 3600), s -> {});
    } catch (IOException | RuntimeException e) {
      throw failure("open", root, null, e, secrets);
    }
  }

  private static Duration seconds(Configuration conf, String key, long dflt) {
    long s = conf.getLong(key, dflt);
    if (s < 0) {
      throw new TrtfleetException(key + " must be 0 or more seconds, got " + s);
    }
    return Duration.ofSeconds(s);
  }

  /** The same store with an observer of publish steps (tests inject crashes through it). */
  ArtifactStore observed(Observer o) {
    return new ArtifactStore(uri, fs, layout, secrets, lockWait, lockStale, stagingLease, o);
  }

  public URI uri() {
    return uri;
  }

  /** The file system under the store (tests look at the raw files through it). */
  FileSystem fileSystem() {
    return fs;
  }

  /**
   * What is at the root. A store is a folder with the marker the first publish writes, or (stores from
   * before the marker) a {@code _staging} folder or a model folder with an index.
   */
  public RootState state() {
    try {
      FileStatus root;
      try {
        root = fs.getFileStatus(layout.root());
      } catch (FileNotFoundException e) {
        return RootState.MISSING;
      }
      if (!root.isDirectory()) {
        return RootState.NOT_A_STORE;
      }
      FileStatus[] children = fs.listStatus(layout.root());
      if (children.length == 0) {
        return RootState.EMPTY;
      }
      for (FileStatus c : children) {
        String n = c.getPath().getName();
        if (n.equals(StoreLayout.STORE_MARKER) || n.equals(StoreLayout.STAGING)) {
          return RootState.STORE;
        }
      }
      for (String m : models()) {
        if (fs.exists(layout.indexDir(m)) || fs.exists(layout.legacyIndex(m))) {
          return RootState.STORE;
        }
      }
      return RootState.NOT_A_STORE;
    } catch (IOException | RuntimeException e) {
      throw failure("look at", uri, null, e, secrets);
    }
  }

  /**
   * The committed manifest of {@code key}, if there is one: metadata only, the files are not read (use
   * {@link #verify} before trusting a build). An unreadable manifest is a TrtfleetException.
   */
  public Optional<Manifest> manifest(TargetKey key) {
    try {
      Verification v = readManifest(key);
      if (v.status() == Verification.Status.CORRUPT) {
        throw new TrtfleetException("build " + key + " in artifact store " + uri + " is " + v.describe()
            + ": publish it again to replace it");
      }
      return v.manifest();
    } catch (IOException | RuntimeException e) {
      throw failure("read the manifest of", uri, key, e, secrets);
    }
  }

  /**
   * Checks {@code key}'s build byte for byte: OK, MISSING, or CORRUPT with the first problem found
   * ("file engines/a.plan sha256 mismatch (...)"). A damaged build is an answer, not an exception; only
   * a failure to read the store (network, permissions) throws.
   */
  public Verification verify(TargetKey key) {
    try {
      return check(key);
    } catch (IOException | RuntimeException e) {
      throw failure("verify", uri, key, e, secrets);
    }
  }

  /**
   * Copies {@code key}'s build into {@code localDir} (absent or empty; created), checking every file's
   * size and sha256 while copying, plus its manifest.json. A build that is missing or damaged is a
   * TrtfleetException naming the problem, and nothing is left in {@code localDir}.
   */
  public Manifest download(TargetKey key, java.nio.file.Path localDir) {
    try {
      Verification v = readManifest(key);
      if (!v.ok()) {
        throw new TrtfleetException("build " + key + " in artifact store " + uri + " is " + v.describe()
            + (v.status() == Verification.Status.MISSING ? ": publish it first (trtfleet ls lists what is there)"
                : ": it was not downloaded; publish it again (the next nightly rebuilds it)"));
      }
      Manifest m = v.manifest().orElseThrow();
      Optional<String> problem = Download.copy(fs, layout.target(key), m, ManifestJson.write(m), localDir);
      if (problem.isPresent()) {
        throw new TrtfleetException("build " + key + " in artifact store " + uri + " is corrupt: " + problem.get()
            + "; nothing was downloaded; publish it again (the next nightly rebuilds it)");
      }
      return m;
    } catch (IOException | RuntimeException e) {
      throw failure("download", uri, key, e, secrets);
    }
  }

  /**
   * Publishes {@code pub} as {@code key}: atomic (a manifest exists only once every file it lists is in
   * place and verified) and idempotent (an existing build that verifies is returned, which Spark task
   * retries and speculative copies rely on). A damaged existing build is replaced, with a WARN.
   */
  public Manifest publish(TargetKey key, Publication pub) {
    try {
      Verification existing = check(key);
      if (existing.ok()) {
        refreshIndex(key.model());
        return existing.manifest().orElseThrow();
      }
      writeStoreMarker();
      return stageAndCommit(key, pub);
    } catch (IOException | RuntimeException e) {
      throw failure("publish", uri, key, e, secrets);
    }
  }

  /**
   * The best build per (device, backend, precision) slot of one model or all, and the manifests that
   * could not be read. Read from the manifests, through the index as a checked cache: always what a
   * {@link #rescan} would show.
   */
  public Listing list(Optional<String> model) {
    return listing(model, "list", m -> new ModelIndex(fs, layout).scan(m));
  }

  /** As {@link #list}, reading every manifest and ignoring the index (to compare, or to distrust it). */
  public Listing rescan(Optional<String> model) {
    return listing(model, "rescan", m -> new ModelIndex(fs, layout).rescan(m));
  }

  /**
   * Rewrites the index of one model or all from their manifests (it repairs itself on every publish;
   * this is for stores whose index is damaged or from an older trtfleet) and returns the listing.
   */
  public Listing rebuildIndex(Optional<String> model) {
    return listing(model, "rebuild the index of", m -> {
      ModelIndex.Scan s = new ModelIndex(fs, layout).update(m, false);
      fs.delete(layout.legacyIndex(m), false);
      return s;
    });
  }

  private interface ModelScan {
    ModelIndex.Scan scan(String model) throws IOException;
  }

  private Listing listing(Optional<String> model, String action, ModelScan scan) {
    model.ifPresent(m -> TargetKey.name("model name", m));
    try {
      List<IndexEntry> entries = new ArrayList<>();
      List<Listing.Damaged> damaged = new ArrayList<>();
      for (String m : model.isPresent() ? List.of(model.get()) : models()) {
        ModelIndex.Scan s = scan.scan(m);
        entries.addAll(s.entries());
        damaged.addAll(s.damaged());
      }
      return new Listing(IndexEntry.bestPerSlot(entries), damaged);
    } catch (IOException | RuntimeException e) {
      throw failure(action, uri, null, e, secrets);
    }
  }

  /**
   * Deletes staging folders and commit locks untouched for {@code olderThan} (left by killed publishers);
   * returns how many it removed. Committed builds are never touched.
   */
  public int cleanStaleStaging(Duration olderThan) {
    try {
      Path staging = layout.stagingRoot();
      FileStatus[] entries;
      try {
        entries = fs.listStatus(staging);
      } catch (FileNotFoundException e) {
        return 0;
      }
      long cutoff = Instant.now().minus(olderThan).toEpochMilli();
      int removed = 0;
      for (FileStatus st : entries) {
        if (st.getPath().getName().equals(StoreLayout.LOCKS)) {
          for (FileStatus lock : fs.listStatus(st.getPath())) {
            if (StoreFiles.newest(fs, lock) <= cutoff && fs.delete(lock.getPath(), true)) {
              LOG.info("removed stale commit lock {}", lock.getPath());
              removed++;
            }
          }
        } else if (StoreFiles.newest(fs, st) <= cutoff && fs.delete(st.getPath(), true)) {
          LOG.info("removed stale staging {}", st.getPath());
          removed++;
        }
      }
      return removed;
    } catch (IOException | RuntimeException e) {
      throw failure("clean the staging of", uri, null, e, secrets);
    }
  }

  /** {@link #cleanStaleStaging(Duration)} with the store's lease ({@link #STAGING_LEASE_SECONDS}). */
  public int cleanStaleStaging() {
    return cleanStaleStaging(stagingLease);
  }

  private Manifest stageAndCommit(TargetKey key, Publication pub) throws IOException {
    String id = UUID.randomUUID().toString();
    Path staging = layout.staging(id);
    CommitLock lock = new CommitLock(fs, layout.lock(key), id, lockStale.dividedBy(4));
    boolean locked = false;
    try {
      List<FileEntry> staged = new StagingUpload(fs, staging, observer).upload(key, pub);
      Optional<Manifest> theirs = acquireOrAdopt(lock, key);
      if (theirs.isPresent()) {
        deleteStaging(staging);
        refreshIndex(key.model());
        return theirs.get();
      }
      locked = true;
      observer.step("locked");
      Verification now = check(key);  // committed between our first look and the lock?
      if (now.ok()) {
        release(lock);
        locked = false;
        deleteStaging(staging);
        refreshIndex(key.model());
        return now.manifest().orElseThrow();
      }
      if (now.status() == Verification.Status.CORRUPT) {
        // Under the lock nobody else writes this folder: take the damaged build out of service first.
        LOG.warn("replacing the damaged build {} in {}: {}", key, uri, now.describe());
        fs.delete(layout.manifest(key), true);
      }
      Manifest manifest = ManifestBuilder.build(key, pub, staged, id);
      try {
        new Promotion(fs, layout, observer, lock).promote(key, staging, staged, manifest);
      } catch (FileAlreadyExistsException e) {
        // Only where the lock's create-if-absent is not atomic: the other commit won; verify and adopt it.
        LOG.warn("{} was committed concurrently; verifying that build", key);
        release(lock);
        locked = false;
        deleteStaging(staging);
        Verification other = check(key);
        if (!other.ok()) {
          throw new IOException("a concurrent publish of " + key + " committed a build that is " + other.describe(), e);
        }
        return other.manifest().orElseThrow();
      }
      release(lock);
      locked = false;
      deleteStaging(staging);
      LOG.info("published {} to {}", key, layout.target(key));
      refreshIndex(key.model());
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

  /**
   * Takes the key's lock (then empty), or returns the build another publisher committed meanwhile once
   * it verifies. A lock is broken once it is stale: its heartbeat (or, for an unreadable, malformed,
   * future-dated or folder lock, its modification time) is older than the stale period, or it has not
   * changed at all while we watched it for that long (which needs no clock but ours).
   */
  private Optional<Manifest> acquireOrAdopt(CommitLock lock, TargetKey key) throws IOException {
    Instant deadline = Instant.now().plus(lockWait);
    String checkedManifest = null;  // the manifest bytes last verified (a damaged one is not rechecked)
    String watched = null;
    long watchedSince = 0;
    long poll = POLL_MIN_MS;
    boolean announced = false;
    while (true) {
      if (lock.tryAcquire(key)) {
        return Optional.empty();
      }
      Optional<Snapshot> m = readManifestBytes(key);
      if (m.isPresent() && !m.get().sha256().equals(checkedManifest)) {
        checkedManifest = m.get().sha256();
        Verification v = parse(key, m.get().bytes());
        if (v.ok() && checkFiles(v.manifest().orElseThrow()).ok()) {
          return v.manifest();
        }
      }
      Optional<CommitLock.State> state = lock.state();
      if (state.isEmpty()) {
        continue;  // released between our attempt and our look: try again at once
      }
      CommitLock.State s = state.get();
      if (!s.fingerprint().equals(watched)) {
        watched = s.fingerprint();
        watchedSince = System.nanoTime();
      }
      Duration unchanged = Duration.ofNanos(System.nanoTime() - watchedSince);
      if (s.silence().compareTo(lockStale) > 0 || unchanged.compareTo(lockStale) > 0) {
        LOG.warn("breaking the commit lock {} of {}: {}", lock.path(), key, s.problem() != null
            ? s.problem() + ", unchanged for " + Math.max(s.silence().toSeconds(), unchanged.toSeconds()) + " s"
            : "its holder " + s.owner() + " has been silent since " + s.heartbeat());
        lock.breakStale(s);
        continue;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new TrtfleetException("another publisher has held the commit lock " + lock.path() + " of " + key
            + " since " + s.holder().map(CommitLock.Holder::since).orElse(s.heartbeat().toString())
            + " without committing; if it died, its lock is broken after " + LOCK_STALE_SECONDS + " ("
            + lockStale.toSeconds() + " s) of silence, or run cleanStaleStaging, then publish again");
      }
      if (!announced) {
        LOG.info("waiting for the commit lock of {} (held by {}{})", key, s.owner(),
            s.problem() == null ? "" : "; " + s.problem());
        announced = true;
      }
      sleep(poll);
      poll = Math.min(POLL_MAX_MS, poll * 3 / 2);
    }
  }

  /** The key's build checked byte for byte (see {@link Verification}). */
  private Verification check(TargetKey key) throws IOException {
    Verification v = readManifest(key);
    return v.ok() ? checkFiles(v.manifest().orElseThrow()) : v;
  }

  /** Every file the manifest lists, against its size and sha256; the first problem makes it CORRUPT. */
  private Verification checkFiles(Manifest m) throws IOException {
    Path target = layout.target(m.key());
    for (FileEntry f : m.files()) {
      Optional<String> problem = StoreFiles.problem(fs, new Path(target, f.path()), f);
      if (problem.isPresent()) {
        return Verification.corrupt(m.key(), m, problem.get());
      }
    }
    return Verification.ok(m);
  }

  /** The manifest alone: OK (not yet checked against the files), MISSING, or CORRUPT when unreadable. */
  private Verification readManifest(TargetKey key) throws IOException {
    Optional<Snapshot> s;
    try {
      s = readManifestBytes(key);
    } catch (ChecksumException | PathIsDirectoryException e) {
      return Verification.corrupt(key, null, "manifest.json is unreadable (" + e.getClass().getSimpleName() + ")");
    }
    return s.isEmpty() ? Verification.missing(key) : parse(key, s.get().bytes());
  }

  private Optional<Snapshot> readManifestBytes(TargetKey key) throws IOException {
    return StoreFiles.read(fs, layout.manifest(key));
  }

  private static Verification parse(TargetKey key, byte[] bytes) {
    Manifest m;
    try {
      m = ManifestJson.manifest(bytes);
    } catch (IOException e) {
      return Verification.corrupt(key, null, "manifest.json is unreadable (" + Messages.firstLine(e.getMessage())
          + ")");
    }
    if (!m.key().equals(key)) {
      return Verification.corrupt(key, m, "manifest.json describes " + m.key() + ", not " + key);
    }
    return Verification.ok(m);
  }

  /** Brings the model's index up to date; the build is committed either way, so a failure only warns. */
  private void refreshIndex(String model) {
    try {
      new ModelIndex(fs, layout).update(model, true);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not update the index of {} in {} ({}); listings read the manifests, so nothing is lost",
          model, uri, secrets.redact(Messages.rootFirstLine(e)));
    }
  }

  /** Marks the root as a store once per process; a lost create race means another publisher wrote it. */
  private volatile boolean markerSeen;

  private void writeStoreMarker() throws IOException {
    if (markerSeen || fs.exists(layout.storeMarker())) {
      markerSeen = true;
      return;
    }
    try {
      StoreFiles.writeNew(fs, layout.storeMarker(), ManifestJson.write(new StoreMarker(1, Instant.now().toString())));
    } catch (IOException e) {
      if (!StoreFiles.isAlreadyExists(e)) {
        throw e;
      }
    }
    markerSeen = true;
  }

  /** The root marker's JSON. */
  record StoreMarker(int trtfleetStore, String created) {}

  private List<String> models() throws IOException {
    List<String> out = new ArrayList<>();
    FileStatus[] children;
    try {
      children = fs.listStatus(layout.root());
    } catch (FileNotFoundException e) {
      return out;
    }
    for (FileStatus st : children) {
      String n = st.getPath().getName();
      if (st.isDirectory() && !n.startsWith("_") && !n.startsWith(".")) {
        out.add(n);
      }
    }
    out.sort(String::compareTo);
    return out;
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
      throw new InterruptedIOException("interrupted while waiting for a commit lock");
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
    String what = key == null ? " artifact store " + store : " " + key + " in artifact store " + store;
    String msg = "cannot " + action + what + " ("
        + Messages.rootFirstLine(e) + "): check the store URI, the network and the store's credentials";
    return new TrtfleetException(secrets.redact(msg), containsSecret(e, secrets) ? redacted(e, secrets) : e);
  }

  private static boolean containsSecret(Throwable e, Secrets secrets) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (secrets.reveals(t.getMessage())) {
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
