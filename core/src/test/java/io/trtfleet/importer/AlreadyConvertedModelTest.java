package io.trtfleet.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.reference.ReferenceRunner;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlreadyConvertedModelTest {

  @Test
  void trtEngineOpIsReportedNotFatal(@TempDir Path tmp) throws Exception {
    ImportedModel m = SavedModelImporter.importModel(ImportOptions.of(CraftedModels.alreadyConverted(tmp)));
    assertEquals(List.of("TRTEngineOp_000_000"), m.alreadyConverted());
    FrozenGraph g = m.graph();
    assertArrayEquals(new long[] {-1, 1, 1}, g.node("TRTEngineOp_000_000").output(0).shape(),
        "output shape comes from TF-TRT's output_shapes attribute");
    assertArrayEquals(new long[] {-1, 1, 1}, g.node("output").output(0).shape(),
        "TensorFlow's shape inference continues past the engine");
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> new ReferenceRunner(g).close());
    assertTrue(e.getMessage().contains("TRTEngineOp"), e.getMessage());
  }
}
