package io.trtfleet.importer;

import io.trtfleet.Durations;
import io.trtfleet.FileTrees;
import io.trtfleet.TreeDigest;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Imported, frozen models on local disk, keyed by content: {@code <root>/<key>/} holds the frozen
 * GraphDef ({@value #GRAPH}) and the rest of the import ({@value #IMPORT}: signatures, inferred output
 * shapes), so a later command on the same SavedModel skips the import and TensorFlow's shape inference.
 * The key is a SHA-256 of the SavedModel's content ({@link TreeDigest#of}), the tag set, the signature
 * and the importer's own code, so a changed model or a changed importer never reads a stale entry.
 *
 * <p>The root is {@code $TRTFLEET_CACHE_DIR/models} (or {@code -Dtrtfleet.cache.dir}), else
 * {@code $XDG_CACHE_HOME/trtfleet/models}, else {@code ~/.cache/trtfleet/models}; the value {@code off}
 * turns the cache off. Entries are written into a temporary folder and renamed into place, so
 * concurrent commands never see half an entry; a damaged entry is removed and the model imported again.
 */
public final class ModelCache {

  public static final String DIR_PROPERTY = "trtfleet.cache.dir";
  public static final String DIR_ENV = "TRTFLEET_CACHE_DIR";
  public static final String OFF = "off";
  static final String GRAPH = "graph.pb";
  static final String IMPORT = "import.ser";

  private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
  private static final int FORMAT = 1;
  private static volatile String codeFingerprint;

  private final Path root;

  private ModelCache(Path root) {
    this.root = root;
  }

  /** A cache under {@code root} (created on first write). */
  public static ModelCache at(Path root) {
    return new ModelCache(root);
  }

  /** No cache: every import runs in full. */
  public static ModelCache off() {
    return new ModelCache(null);
  }

  /** The cache the environment asks for (see the class comment). */
  public static ModelCache fromEnvironment() {
    String dir = System.getProperty(DIR_PROPERTY, System.getenv(DIR_ENV));
    if (dir != null && !dir.isBlank()) {
      return dir.strip().equalsIgnoreCase(OFF) ? off() : at(Path.of(dir.strip()).resolve("models"));
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return at(base.resolve("trtfleet").resolve("models"));
  }

  public Optional<Path> root() {
    return Optional.ofNullable(root);
  }

  /** The import of {@code options}, from the cache when an entry exists, else imported and stored. */
  ImportedModel load(ImportOptions options, Supplier<ImportedModel> importer) {
    if (root == null) {
      return importer.get();
    }
    if (!Files.isRegularFile(options.modelDir().resolve("saved_model.pb"))) {
      return importer.get();  // not a SavedModel: the importer says what is wrong
    }
    long start = System.nanoTime();
    Path entry = root.resolve(key(options));
    if (Files.isRegularFile(entry.resolve(IMPORT))) {
      try {
        ImportedModel cached = read(entry, options.modelDir());
        LOG.info("imported {} signature '{}' from the model cache ({}) in {}", options.modelDir(),
            cached.graph().signature().key(), entry, Durations.since(start));
        return cached;
      } catch (IOException | ClassNotFoundException | RuntimeException e) {
        LOG.warn("model cache entry {} is damaged ({}): importing again", entry, e.toString());
        remove(entry);
      }
    }
    ImportedModel imported = importer.get();
    write(entry, imported);
    return imported;
  }

  /** SHA-256 of the model's content, the tag set, the signature key and the importer's code. */
  String key(ImportOptions options) {
    MessageDigest sha = TreeDigest.sha256();
    String header = "trtfleet-model-cache " + FORMAT + "\n" + codeFingerprint() + "\n"
        + String.join(",", new java.util.TreeSet<>(options.tags())) + "\n" + options.signatureKey() + "\n";
    sha.update(header.getBytes(StandardCharsets.UTF_8));
    sha.update(TreeDigest.of(options.modelDir()).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(sha.digest());
  }

  /** What is cached besides the GraphDef. */
  private record Entry(int format, Signature signature, List<Signature> signatures, List<List<TensorSpec>> outputs,
      int variablesFrozen, List<String> alreadyConverted) implements Serializable {}

  private static ImportedModel read(Path entry, Path modelDir) throws IOException, ClassNotFoundException {
    GraphDef graphDef;
    try (InputStream in = Files.newInputStream(entry.resolve(GRAPH))) {
      graphDef = GraphDef.parseFrom(in);
    }
    Entry e;
    try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(entry.resolve(IMPORT)))) {
      in.setObjectInputFilter(ModelCache::allowed);
      e = (Entry) in.readObject();
    }
    if (e.format() != FORMAT || e.outputs().size() != graphDef.getNodeCount()) {
      throw new IllegalStateException("entry of format " + e.format() + " with " + e.outputs().size()
          + " output lists for " + graphDef.getNodeCount() + " nodes");
    }
    List<Node> nodes = new ArrayList<>(graphDef.getNodeCount());
    for (int i = 0; i < graphDef.getNodeCount(); i++) {
      NodeDef n = graphDef.getNode(i);
      nodes.add(new Node(n, n.getInputList().stream().map(TensorRef::parse).toList(), e.outputs().get(i)));
    }
    FrozenGraph graph = new FrozenGraph(graphDef, e.signature(), nodes, e.variablesFrozen());
    return new ImportedModel(modelDir, e.signatures(), graph, e.alreadyConverted());
  }

  /** Only the classes an entry holds deserialize: the cache folder is data, not code. */
  private static ObjectInputFilter.Status allowed(ObjectInputFilter.FilterInfo info) {
    Class<?> c = info.serialClass();
    if (c == null) {
      return ObjectInputFilter.Status.UNDECIDED;
    }
    while (c.isArray()) {
      c = c.getComponentType();
    }
    String name = c.getName();
    boolean ok = c.isPrimitive() || name.startsWith("io.trtfleet.graph.") || name.equals(Entry.class.getName())
        || name.startsWith("java.util.") || name.startsWith("java.lang.")
        || name.equals("org.tensorflow.proto.DataType");
    return ok ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
  }

  private void write(Path entry, ImportedModel m) {
    Path tmp = root.resolve(".tmp-" + UUID.randomUUID());
    try {
      Files.createDirectories(tmp);
      FrozenGraph g = m.graph();
      try (OutputStream out = Files.newOutputStream(tmp.resolve(GRAPH))) {
        g.graphDef().writeTo(out);
      }
      List<List<TensorSpec>> outputs = g.graphDef().getNodeList().stream()
          .map(n -> List.copyOf(g.node(n.getName()).outputs())).toList();
      try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(tmp.resolve(IMPORT)))) {
        out.writeObject(new Entry(FORMAT, g.signature(), m.signatures(), outputs, g.variablesFrozen(),
            m.alreadyConverted()));
      }
      try {
        Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
        remove(tmp);  // another command stored the same model first
      }
    } catch (IOException | RuntimeException e) {
      // The cache only saves time: a full disk or a read-only home must not fail the command.
      LOG.warn("cannot store {} in the model cache {} ({}): the next command imports it again", m.modelDir(), root,
          e.toString());
      remove(tmp);
    }
  }

  private static void remove(Path dir) {
    try {
      FileTrees.deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("cannot remove {} ({}): delete it by hand", dir, e.toString());
    }
  }

  /**
   * The importer's and the graph IR's compiled code, hashed: an entry written by other code is never
   * read. Classes from a jar count by their CRCs (no need to read the whole jar), from a folder by bytes.
   */
  static String codeFingerprint() {
    String f = codeFingerprint;
    if (f == null) {
      codeFingerprint = f = fingerprint(ModelCache.class) + "/" + fingerprint(FrozenGraph.class) + "/"
          + location(GraphDef.class).getFileName();
    }
    return f;
  }

  private static String fingerprint(Class<?> c) {
    Path where = location(c);
    String pkg = c.getPackageName().replace('.', '/') + "/";
    MessageDigest sha = TreeDigest.sha256();
    try {
      if (Files.isDirectory(where)) {
        sha.update(TreeDigest.of(where.resolve(pkg)).getBytes(StandardCharsets.UTF_8));
      } else {
        try (JarFile jar = new JarFile(where.toFile())) {
          List<JarEntry> entries = jar.stream().filter(e -> e.getName().startsWith(pkg) && !e.isDirectory())
              .sorted(java.util.Comparator.comparing(JarEntry::getName)).toList();
          for (JarEntry e : entries) {
            sha.update((e.getName() + ":" + e.getCrc() + ":" + e.getSize() + "\n").getBytes(StandardCharsets.UTF_8));
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read trtfleet's own classes at " + where, e);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static Path location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      throw new IllegalStateException("cannot locate the code of " + c.getName(), e);
    }
  }

  /** Every entry's folder (for tests and cleaning). */
  List<Path> entries() throws IOException {
    if (root == null || !Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
  }
}
