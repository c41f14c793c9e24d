package io.trtfleet.calibrationdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.calibrationdata.CalibrationImport.Format;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationImportTest {

  @TempDir Path tmp;

  /** 20 images of 3x2 pixels (pixel k of image i = 10*i + k, so 190..195 for the last), labels i % 4. */
  private Path idxImages() throws IOException {
    byte[] pixels = new byte[20 * 6];
    byte[] labels = new byte[20];
    for (int i = 0; i < 20; i++) {
      for (int k = 0; k < 6; k++) {
        pixels[i * 6 + k] = (byte) (10 * i + k);
      }
      labels[i] = (byte) (i % 4);
    }
    TestFiles.idx(tmp.resolve("train-labels-idx1-ubyte.gz"), new int[] {20}, labels);
    return TestFiles.idx(tmp.resolve("train-images-idx3-ubyte.gz"), new int[] {20, 3, 2}, pixels);
  }

  @Test
  void idxImagesAreScaledLikeTheSampleModelWithLabelsFromTheSiblingFile() throws IOException {
    Path out = tmp.resolve("out/idx.parquet");
    CalibrationImport.Result r = CalibrationImport.builder(Format.IDX, idxImages(), out).split("calibration").build().run();

    assertEquals(20, r.rows());
    assertArrayEquals(new long[] {3, 2, 1}, r.sampleShape(), "grayscale IDX images get a channel dimension");
    assertEquals(Map.of(0, 5, 1, 5, 2, 5, 3, 5), r.classCounts());
    List<GenericRecord> rows = TestFiles.records(out);
    float[] last = TestFiles.floats(rows.get(19), "images");
    for (int k = 0; k < 6; k++) {
      int b = 190 + k;
      assertEquals(Float.floatToIntBits(b / 255f), Float.floatToIntBits(last[k]), "byte / 255f exactly");
    }
    assertEquals(3, rows.get(19).get("label"));
    assertEquals("calibration", rows.get(19).get("split").toString());
  }

  @Test
  void stratifiedSampleIsProportionalAndReproducible() throws IOException {
    Path images = idxImages();
    CalibrationImport.Builder b = CalibrationImport.builder(Format.IDX, images, tmp.resolve("a.parquet"))
        .sample(8).stratifyByLabel(true).seed(42).shape(new long[] {6});
    CalibrationImport.Result a = b.build().run();
    CalibrationImport.builder(Format.IDX, images, tmp.resolve("b.parquet"))
        .sample(8).stratifyByLabel(true).seed(42).shape(new long[] {6}).build().run();

    assertEquals(Map.of(0, 2, 1, 2, 2, 2, 3, 2), a.classCounts());
    assertArrayEquals(new long[] {6}, a.sampleShape());
    assertEquals(TestFiles.records(tmp.resolve("a.parquet")).toString(), TestFiles.records(tmp.resolve("b.parquet")).toString());
    List<GenericRecord> rows = TestFiles.records(tmp.resolve("a.parquet"));
    int previous = -1;
    for (GenericRecord row : rows) {
      int image = Math.round(TestFiles.floats(row, "images")[0] * 255f) / 10;
      assertTrue(image > previous, "source order kept");
      assertEquals(image % 4, row.get("label"));
      previous = image;
    }
  }

  @Test
  void idxErrorsNameTheFileAndTheFix() throws IOException {
    Path images = idxImages();
    TestFiles.idx(tmp.resolve("t10k-images-idx3-ubyte.gz"), new int[] {1, 3, 2}, new byte[6]);

    TrtfleetException dir = assertThrows(TrtfleetException.class,
        () -> CalibrationImport.builder(Format.IDX, tmp, tmp.resolve("x.parquet")).build().run());
    assertTrue(dir.getMessage().contains("2 image files") && dir.getMessage().contains("pass the images file itself"),
        dir.getMessage());

    TrtfleetException shape = assertThrows(TrtfleetException.class, () -> CalibrationImport.builder(Format.IDX, images,
        tmp.resolve("x.parquet")).shape(new long[] {28, 28, 1}).build().run());
    assertEquals("--shape [28,28,1] holds 784 values but each sample of " + images + " + "
        + tmp.resolve("train-labels-idx1-ubyte.gz") + " has 6 (shape [3,2,1]): give a shape with the same number"
        + " of values", shape.getMessage());

    TrtfleetException tooMany = assertThrows(TrtfleetException.class, () -> CalibrationImport.builder(Format.IDX, images,
        tmp.resolve("x.parquet")).sample(21).build().run());
    assertTrue(tooMany.getMessage().startsWith("--sample 21 is more than the 20 samples of"), tooMany.getMessage());

    Path lonely = TestFiles.idx(tmp.resolve("sub-images.idx"), new int[] {2, 1, 1}, new byte[2]);
    TrtfleetException noLabels = assertThrows(TrtfleetException.class, () -> CalibrationImport.builder(Format.IDX, lonely,
        tmp.resolve("x.parquet")).sample(1).stratifyByLabel(true).build().run());
    assertTrue(noLabels.getMessage().contains("no labels for IDX images") && noLabels.getMessage().contains("--labels"),
        noLabels.getMessage());
    assertFalse(Files.exists(tmp.resolve("x.parquet")));
  }

  @Test
  void npyFloatsAreKeptAndIntegerLabelsRead() throws IOException {
    Path x = TestFiles.npy(tmp.resolve("x.npy"), "<f4", new long[] {3, 2, 2}, TestFiles.floatsLE(
        0.1f, 0.2f, 0.3f, 0.4f, 1, 2, 3, 4, -1e-8f, 5e8f, 0, 1));
    Path y = TestFiles.npy(tmp.resolve("y.npy"), "<i4", new long[] {3}, TestFiles.intsLE(7, 8, 7));
    Path out = tmp.resolve("npy.parquet");

    CalibrationImport.Result r = CalibrationImport.builder(Format.NPY, x, out).labels(y).inputName("x").build().run();

    assertArrayEquals(new long[] {2, 2}, r.sampleShape());
    assertEquals(Map.of(7, 2, 8, 1), r.classCounts());
    List<GenericRecord> rows = TestFiles.records(out);
    assertArrayEquals(new float[] {-1e-8f, 5e8f, 0, 1}, TestFiles.floats(rows.get(2), "x"));
    assertEquals(8, rows.get(1).get("label"));
    assertNull(rows.get(0).getSchema().getField("split"), "no split column unless asked");
  }

  @Test
  void npyBytesAreDividedBy255UnlessToldOtherwise() throws IOException {
    Path x = TestFiles.npy(tmp.resolve("u8.npy"), "|u1", new long[] {1, 3}, new byte[] {0, 51, (byte) 255});
    CalibrationImport.builder(Format.NPY, x, tmp.resolve("auto.parquet")).build().run();
    assertArrayEquals(new float[] {0f, 0.2f, 1f}, TestFiles.floats(TestFiles.records(tmp.resolve("auto.parquet")).get(0), "images"));

    CalibrationImport.builder(Format.NPY, x, tmp.resolve("raw.parquet")).scaling(Scaling.parse("1")).build().run();
    assertArrayEquals(new float[] {0f, 51f, 255f}, TestFiles.floats(TestFiles.records(tmp.resolve("raw.parquet")).get(0), "images"));
  }

  @Test
  void npyWithNaNIsRefusedAndNothingWritten() throws IOException {
    Path x = TestFiles.npy(tmp.resolve("nan.npy"), "<f4", new long[] {2, 2}, TestFiles.floatsLE(1, 2, 3, Float.NaN));
    Path out = tmp.resolve("nan.parquet");
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> CalibrationImport.builder(Format.NPY, x, out).build().run());
    assertEquals(x + ": sample 1 holds NaN at element 1: calibration inputs must be finite; fix or drop that sample",
        e.getMessage());
    assertFalse(Files.exists(out));
  }

  @Test
  void csvWithHeaderAndNamedLabelColumn() throws IOException {
    Path csv = Files.writeString(tmp.resolve("s.csv"), "f0, f1,class ,f2\n1.5,2,0,3\n\n4,5,1,6e-1\n\"7\",8,1,9\n");
    Path out = tmp.resolve("csv.parquet");

    CalibrationImport.Result r = CalibrationImport.builder(Format.CSV, csv, out).labelColumn("class").inputName("features")
        .sample(2).stratifyByLabel(true).build().run();

    assertEquals(Map.of(0, 1, 1, 1), r.classCounts());
    assertArrayEquals(new long[] {3}, r.sampleShape());
    List<GenericRecord> rows = TestFiles.records(out);
    assertArrayEquals(new float[] {1.5f, 2, 3}, TestFiles.floats(rows.get(0), "features"));
    assertEquals(0, rows.get(0).get("label"));
  }

  @Test
  void csvWithoutHeaderTakesTheLabelByIndexAndDefaultsToNoLabels() throws IOException {
    Path csv = Files.writeString(tmp.resolve("n.csv"), "1,2,3\n4,5,6\n");
    CalibrationImport.Result byIndex = CalibrationImport.builder(Format.CSV, csv, tmp.resolve("a.parquet"))
        .labelColumn("0").build().run();
    assertEquals(Map.of(1, 1, 4, 1), byIndex.classCounts());
    assertArrayEquals(new long[] {2}, byIndex.sampleShape());

    CalibrationImport.Result none = CalibrationImport.builder(Format.CSV, csv, tmp.resolve("b.parquet")).build().run();
    assertTrue(none.classCounts().isEmpty());
    assertNull(TestFiles.records(tmp.resolve("b.parquet")).get(0).getSchema().getField("label"));
  }

  @Test
  void csvErrorsNameTheLineAndColumn() throws IOException {
    Path ragged = Files.writeString(tmp.resolve("r.csv"), "a,b,label\n1,2,0\n1,2\n");
    TrtfleetException e1 = assertThrows(TrtfleetException.class,
        () -> CalibrationImport.builder(Format.CSV, ragged, tmp.resolve("x.parquet")).build().run());
    assertEquals("CSV file " + ragged + " line 3 has 2 fields, the first row has 3: every sample needs the same columns",
        e1.getMessage());

    Path word = Files.writeString(tmp.resolve("w.csv"), "a,b,label\n1,x,0\n");
    TrtfleetException e2 = assertThrows(TrtfleetException.class,
        () -> CalibrationImport.builder(Format.CSV, word, tmp.resolve("x.parquet")).build().run());
    assertEquals("CSV file " + word + " line 2 column 'b': 'x' is not a number", e2.getMessage());

    Path inf = Files.writeString(tmp.resolve("i.csv"), "a,b\n1,Infinity\n");
    TrtfleetException e3 = assertThrows(TrtfleetException.class,
        () -> CalibrationImport.builder(Format.CSV, inf, tmp.resolve("x.parquet")).build().run());
    assertTrue(e3.getMessage().contains("sample 0 holds Infinity at element 1"), e3.getMessage());

    Path labels = Files.writeString(tmp.resolve("l.csv"), "a,label\n1,0.5\n");
    TrtfleetException e4 = assertThrows(TrtfleetException.class,
        () -> CalibrationImport.builder(Format.CSV, labels, tmp.resolve("x.parquet")).build().run());
    assertTrue(e4.getMessage().contains("label '0.5' is not an integer class id"), e4.getMessage());

    Path header = Files.writeString(tmp.resolve("h.csv"), "a,label\n");
    TrtfleetException e5 = assertThrows(TrtfleetException.class,
        () -> CalibrationImport.builder(Format.CSV, header, tmp.resolve("x.parquet")).build().run());
    assertTrue(e5.getMessage().contains("holds no samples"), e5.getMessage());
  }

  @Test
  void optionsAreCheckedBeforeAnythingIsRead() {
    Path in = tmp.resolve("missing.npy");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> CalibrationImport.builder(Format.NPY, in,
        tmp.resolve("x.parquet")).stratifyByLabel(true).build()).getMessage().contains("without --sample"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> CalibrationImport.builder(Format.NPY, in,
        tmp.resolve("x.parquet")).labelColumn("y").build()).getMessage().contains("only CSV"));
    assertEquals("input " + in + " does not exist", assertThrows(TrtfleetException.class,
        () -> CalibrationImport.builder(Format.NPY, in, tmp.resolve("x.parquet")).build().run()).getMessage());
    assertEquals("Invalid --shape '28,x': positive dimensions such as 28,28,1",
        assertThrows(IllegalArgumentException.class, () -> CalibrationImport.parseShape("28,x")).getMessage());
    assertArrayEquals(new long[] {28, 28, 1}, CalibrationImport.parseShape("[28, 28, 1]"));
    assertEquals("Invalid --format 'png': use idx, npy or csv",
        assertThrows(IllegalArgumentException.class, () -> Format.parse("png")).getMessage());
  }
}
