package io.trtfleet.testing;

import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * S3Proxy 3.0.0 in the test JVM: a transient (in-memory) blob store behind the S3 API on 127.0.0.1 and
 * a random port, with signature checking on, and the S3A settings that reach it.
 */
@SuppressWarnings("try")  // close() throws what S3Proxy.stop() throws
public final class S3ProxyServer implements AutoCloseable {

  public static final String ACCESS_KEY = "AKIDTRTFLEETTEST0001";
  public static final String SECRET_KEY = "trtfleet-s3cr3t-never-log-9f8e7d6c5b4a";

  private final BlobStoreContext blobs;
  private final S3Proxy proxy;
  private final String accessKey;
  private final String secretKey;

  public S3ProxyServer(String... buckets) throws Exception {
    this(ACCESS_KEY, SECRET_KEY, buckets);
  }

  /** A server that accepts these credentials (a secret with '/' or spaces, say). */
  public static S3ProxyServer withCredentials(String accessKey, String secretKey, String... buckets) throws Exception {
    return new S3ProxyServer(accessKey, secretKey, buckets);
  }

  private S3ProxyServer(String accessKey, String secretKey, String[] buckets) throws Exception {
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    blobs = ContextBuilder.newBuilder("transient").credentials("unused", "unused").build(BlobStoreContext.class);
    for (String b : buckets) {
      blobs.getBlobStore().createContainerInLocation(null, b);
    }
    proxy = S3Proxy.builder().blobStore(blobs.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey).build();
    proxy.start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(10);
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /** S3A pointed at this server: path-style, plain HTTP, few retries, no shared FileSystem cache. */
  public Configuration conf() {
    return s3aConf(endpoint(), accessKey, secretKey);
  }

  public static Configuration s3aConf(String endpoint, String access, String secret) {
    Configuration c = new Configuration();  // core-default.xml maps s3a:// to S3AFileSystem
    c.set("fs.s3a.endpoint", endpoint);
    c.set("fs.s3a.endpoint.region", "us-east-1");
    c.setBoolean("fs.s3a.path.style.access", true);
    c.setBoolean("fs.s3a.connection.ssl.enabled", false);
    c.set("fs.s3a.access.key", access);
    c.set("fs.s3a.secret.key", secret);
    c.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    c.setBoolean("fs.s3a.impl.disable.cache", true);
    c.setInt("fs.s3a.retry.limit", 1);
    c.set("fs.s3a.retry.interval", "10ms");
    c.setInt("fs.s3a.attempts.maximum", 1);
    c.set("fs.s3a.connection.establish.timeout", "2s");
    c.set("fs.s3a.connection.timeout", "5s");
    return c;
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    blobs.close();
  }
}
