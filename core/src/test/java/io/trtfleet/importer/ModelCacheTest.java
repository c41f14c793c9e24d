package io.trtfleet.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.testing.Fixtures;
import io.trtfleet.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {

  @TempDir
  static Path tmp;
  static ImportOptions cnn;
  static ImportedModel direct;

  @BeforeAll
  static void model() {
    cnn = ImportOptions.of(TestModels.cnn(tmp.resolve("cnn")));
    direct = SavedModelImporter.importModel(cnn, ModelCache.off());
  }

  /** Imports through {@code cache}, counting how often the real import ran. */
  private static ImportedModel load(ModelCache cache, ImportOptions options, AtomicInteger imports) {
    return cache.load(options, () -> {
      imports.incrementAndGet();
      return SavedModelImporter.importModel(options, ModelCache.off());
    });
  }

  @Test
  void aSecondImportOfTheSameModelComesFromTheCacheUnchanged() throws Exception {
    ModelCache cache = ModelCache.at(tmp.resolve("cache1"));
    AtomicInteger imports = new AtomicInteger();
    load(cache, cnn, imports);
    // The same content at another path is the same model.
    Path copy = Fixtures.copyTree(cnn.modelDir(), tmp.resolve("cnn-copy"));
    ImportedModel cached = load(cache, ImportOptions.of(copy), imports);
    assertEquals(1, imports.get(), "imported once, then read from the cache");
    assertEquals(copy, cached.modelDir(), "the entry answers for the folder asked about");
    assertSameImport(direct, cached);
    assertEquals(1, cache.entries().size());
  }

  @Test
  void anotherModelTagSetOrSignatureIsAnotherEntry() throws Exception {
    ModelCache cache = ModelCache.at(tmp.resolve("cache2"));
    Path other = TestModels.mlp(tmp.resolve("mlp"));
    assertNotEquals(cache.key(cnn), cache.key(ImportOptions.of(other)));
    assertNotEquals(cache.key(cnn), cache.key(ImportOptions.builder(cnn.modelDir()).tags("serve,gpu").build()));
    assertNotEquals(cache.key(cnn), cache.key(ImportOptions.builder(cnn.modelDir()).signature("predict").build()));
    Path changed = Fixtures.copyTree(cnn.modelDir(), tmp.resolve("cnn-changed"));
    Files.writeString(changed.resolve("assets.txt"), "one more file");
    assertNotEquals(cache.key(cnn), cache.key(ImportOptions.of(changed)), "the content decides, not the path");
  }

  @Test
  void aDamagedEntryIsImportedAgain() throws Exception {
    ModelCache cache = ModelCache.at(tmp.resolve("cache3"));
    AtomicInteger imports = new AtomicInteger();
    load(cache, cnn, imports);
    Path entry = cache.entries().get(0);
    Files.write(entry.resolve(ModelCache.IMPORT), new byte[] {1, 2, 3});
    assertSameImport(direct, load(cache, cnn, imports));
    assertEquals(2, imports.get());
    assertSameImport(direct, load(cache, cnn, imports));
    assertEquals(2, imports.get(), "the damaged entry was replaced");
  }

  @Test
  void concurrentCommandsLeaveOneWholeEntry() throws Exception {
    ModelCache cache = ModelCache.at(tmp.resolve("cache4"));
    AtomicInteger imports = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<ImportedModel>> runs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        runs.add(pool.submit((Callable<ImportedModel>) () -> load(cache, cnn, imports)));
      }
      for (Future<ImportedModel> f : runs) {
        assertSameImport(direct, f.get());
      }
    } finally {
      pool.shutdown();
    }
    try (Stream<Path> all = Files.list(cache.root().orElseThrow())) {
      assertEquals(1, all.count(), "one entry and no temporary folders");
    }
  }

  @Test
  void offWritesNothingAndTheEnvironmentPicksTheFolder() {
    String before = System.getProperty(ModelCache.DIR_PROPERTY);
    try {
      System.setProperty(ModelCache.DIR_PROPERTY, tmp.resolve("env").toString());
      assertEquals(tmp.resolve("env").resolve("models"), ModelCache.fromEnvironment().root().orElseThrow());
      System.setProperty(ModelCache.DIR_PROPERTY, "off");
      assertTrue(ModelCache.fromEnvironment().root().isEmpty());
    } finally {
      if (before == null) {
        System.clearProperty(ModelCache.DIR_PROPERTY);
      } else {
        System.setProperty(ModelCache.DIR_PROPERTY, before);
      }
    }
  }

  private static void assertSameImport(ImportedModel expected, ImportedModel actual) {
    FrozenGraph a = expected.graph();
    FrozenGraph b = actual.graph();
    assertEquals(a.graphDef(), b.graphDef());
    assertEquals(a.signature(), b.signature());
    assertEquals(expected.signatures(), actual.signatures());
    assertEquals(a.variablesFrozen(), b.variablesFrozen());
    assertEquals(expected.alreadyConverted(), actual.alreadyConverted());
    assertEquals(a.nodes().size(), b.nodes().size());
    for (int i = 0; i < a.nodes().size(); i++) {
      Node x = a.nodes().get(i);
      Node y = b.nodes().get(i);
      assertEquals(x.def(), y.def());
      assertEquals(x.inputs(), y.inputs());
      assertEquals(x.outputs().size(), y.outputs().size(), x.name());
      for (int k = 0; k < x.outputs().size(); k++) {
        assertEquals(x.outputs().get(k).name(), y.outputs().get(k).name());
        assertEquals(x.outputs().get(k).dtype(), y.outputs().get(k).dtype());
        assertEquals(x.outputs().get(k).shapeString(), y.outputs().get(k).shapeString(), x.name());
      }
    }
  }
}
