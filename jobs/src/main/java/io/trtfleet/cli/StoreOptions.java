package io.trtfleet.cli;

import io.trtfleet.store.ArtifactStore;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

/**
 * The artifact store options: its URI and Hadoop settings. Credentials come from a Hadoop credential
 * provider, the standard AWS environment variables, or the Hadoop configuration (core-site.xml,
 * {@code --conf fs.s3a.access.key=...}), never from the URI.
 */
public final class StoreOptions {

  @Option(names = "--store", required = true, paramLabel = "URI",
      description = "artifact store root: file:///absolute/path (or a plain path), s3a://bucket/prefix, hdfs://nn/path")
  URI store;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", mapFallbackValue = "",
      description = "Hadoop setting, repeatable (e.g. fs.s3a.endpoint=http://minio:9000, fs.s3a.path.style.access=true)")
  Map<String, String> conf = new LinkedHashMap<>();

  /** Hadoop's defaults and *-site.xml from the classpath, then the --conf pairs. */
  Configuration hadoopConf() {
    Configuration c = new Configuration();
    conf.forEach(c::set);
    return c;
  }

  ArtifactStore open() {
    return ArtifactStore.open(store, hadoopConf());
  }
}
