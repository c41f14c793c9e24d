package io.trtfleet.calibrationdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyReaderTest {

  @TempDir Path tmp;

  @Test
  void readsLittleEndianFloat32() throws IOException {
    Path f = TestFiles.npy(tmp.resolve("a.npy"), "<f4", new long[] {2, 3}, TestFiles.floatsLE(1, 2, 3, 4.5f, -5, 6e-7f));

    NpyArray a = NpyReader.read(f);

    assertEquals("<f4", a.descr());
    assertArrayEquals(new long[] {2, 3}, a.shape());
    assertEquals(6, a.count());
    assertEquals(4.5f, a.getFloat(3));
    assertEquals(6e-7f, a.getFloat(5));
  }

  @Test
  void readsUnsignedBytesAndBigEndianInts() throws IOException {
    NpyArray u8 = NpyReader.read(TestFiles.npy(tmp.resolve("u.npy"), "|u1", new long[] {3},
        new byte[] {0, (byte) 128, (byte) 255}));
    assertEquals(NpyArray.Type.U1, u8.type());
    assertEquals(255.0, u8.getDouble(2));

    byte[] be = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(-7).putInt(1 << 20).array();
    NpyArray i4 = NpyReader.read(TestFiles.npy(tmp.resolve("i.npy"), ">i4", new long[] {2, 1}, be));
    assertEquals(-7, i4.getLong(0));
    assertEquals(1 << 20, i4.getLong(1));
  }

  @Test
  void readsVersion2Headers() throws IOException {
    String header = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
    header = header + " ".repeat(64 - (12 + header.length() + 1) % 64) + "\n";
    ByteBuffer b = ByteBuffer.allocate(12 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(header.length())
        .put(header.getBytes(StandardCharsets.US_ASCII)).putInt(3).putInt(4);
    Path f = Files.write(tmp.resolve("v2.npy"), b.array());
    NpyArray a = NpyReader.read(f);
    assertEquals(4, a.getLong(1));
  }

  @Test
  void refusesFortranOrderWithAFix() throws IOException {
    Path f = TestFiles.npy(tmp.resolve("f.npy"), "<f4", new long[] {1}, TestFiles.floatsLE(1));
    String text = Files.readString(f, StandardCharsets.ISO_8859_1).replace("'fortran_order': False", "'fortran_order': True ");
    Files.write(f, text.getBytes(StandardCharsets.ISO_8859_1));
    IOException e = assertThrows(IOException.class, () -> NpyReader.read(f));
    assertTrue(e.getMessage().contains("Fortran order") && e.getMessage().contains("ascontiguousarray"), e.getMessage());
  }

  @Test
  void refusesUnsupportedDtypesNpzAndTruncatedData() throws IOException {
    Path f2 = TestFiles.npy(tmp.resolve("h.npy"), "<f2", new long[] {1}, new byte[2]);
    IOException half = assertThrows(IOException.class, () -> NpyReader.read(f2));
    assertTrue(half.getMessage().contains("unsupported dtype '<f2'") && half.getMessage().contains(f2.toString()),
        half.getMessage());

    Path npz = Files.write(tmp.resolve("a.npz"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0});
    assertTrue(assertThrows(IOException.class, () -> NpyReader.read(npz)).getMessage().contains(".npz"));

    Path cut = TestFiles.npy(tmp.resolve("cut.npy"), "<f4", new long[] {4}, TestFiles.floatsLE(1, 2, 3));
    IOException e = assertThrows(IOException.class, () -> NpyReader.read(cut));
    assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("16 bytes"), e.getMessage());

    Path text = Files.writeString(tmp.resolve("t.npy"), "1,2,3\n");
    assertTrue(assertThrows(IOException.class, () -> NpyReader.read(text)).getMessage().contains("not a .npy file"));
  }

  @Test
  void emptyShapeIsAScalar() throws IOException {
    NpyArray a = NpyReader.read(TestFiles.npy(tmp.resolve("s.npy"), "<f8", new long[0],
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(2.5).array()));
    assertEquals(0, a.shape().length);
    assertEquals(2.5, a.getDouble(0));
    assertEquals("NpyArray(<f8[])", a.toString().replace(Arrays.toString(new long[0]), "[]"));
  }
}
