package io.trtfleet.store;

import io.trtfleet.testing.S3ProxyServer;
import java.net.URI;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many publishers at once over s3a:// against S3Proxy. Apart from {@link ArtifactStoreS3Test}, whose
 * DEBUG capture of every S3 request (to search it for credentials) slows concurrent runs tenfold.
 */
class ArtifactStoreS3ConcurrencyTest {

  @TempDir
  Path tmp;

  @Test
  void eightPublishersOfTwoKeysEachOverS3aLoseNoIndexEntry() throws Exception {
    try (S3ProxyServer s3 = new S3ProxyServer("trtfleet-many")) {
      Configuration conf = s3.conf();
      conf.setLong(ArtifactStore.LOCK_WAIT_SECONDS, 60);
      ArtifactStore store = ArtifactStore.open(URI.create("s3a://trtfleet-many/fleet"), conf);
      StoreScenarios.concurrentPublishersOfManyKeysLoseNoEntry(store, 8, 2, tmp, () -> StoreScenarios.files(store));
    }
  }
}
