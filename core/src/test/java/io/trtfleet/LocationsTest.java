package io.trtfleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocationsTest {

  private static final Path CWD = Path.of("").toAbsolutePath();

  @Test
  void fileUrisAreAbsoluteLocalPaths() {
    assertEquals(URI.create("file:///x/y"), Locations.uri("file:///x/y"));
    assertEquals(URI.create("file:///x/y"), Locations.uri("file:/x/y"));
    assertEquals(URI.create("file:///x/y"), Locations.uri("file://localhost/x/y"));
    assertEquals(URI.create("file:///x/y"), Locations.uri("file:///x/./z/../y/"));
    assertEquals(URI.create("file:///my%20store"), Locations.uri("file:///my store"), "raw spaces, as people type");
    assertEquals(Path.of("/x/y"), Locations.localPath("file:///x/y"));
    assertEquals(Path.of("/my store"), Locations.localPath("file:///my%20store"));
  }

  @Test
  void plainPathsAreLocalAndRelativeToTheWorkingFolder() {
    assertEquals(CWD.resolve("store").toUri().getPath().replaceAll("/$", ""), Locations.uri("store").getPath());
    assertEquals("file", Locations.uri("store").getScheme());
    assertEquals(Path.of("rel/dir"), Locations.localPath("rel/dir"), "kept as given");
    assertEquals(URI.create("file:///abs/a%20b"), Locations.uri("/abs/a b"));
  }

  @Test
  void otherSchemesPassThroughForHadoop() {
    assertEquals(URI.create("s3a://bucket/prefix"), Locations.uri("s3a://bucket/prefix"));
    assertEquals(URI.create("hdfs://nn:8020/x"), Locations.uri("hdfs://nn:8020/x"));
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> Locations.localPath("s3a://bucket/x"));
    assertTrue(e.getMessage().contains("takes a local path"), e.getMessage());
  }

  @Test
  void fileUrisThatAreNotAbsoluteLocalPathsAreRefusedSayingWhatToWrite() {
    for (String bad : new String[] {"file:x", "file:relative/dir", "file://host/x", "file://[bad"}) {
      TrtfleetException e = assertThrows(TrtfleetException.class, () -> Locations.uri(bad), bad);
      assertTrue(e.getMessage().contains("file:///"), e.getMessage());
      assertThrows(TrtfleetException.class, () -> Locations.localPath(bad), bad);
    }
    assertThrows(TrtfleetException.class, () -> Locations.uri(" "));
  }

  @Test
  void errorsDoNotEchoCredentials() {
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> Locations.uri("s3a://AKID:se cret/x@bucket/p"));
    assertFalse(e.getMessage().contains("se cret/x") || e.getMessage().contains("AKID"), e.getMessage());
  }
}
