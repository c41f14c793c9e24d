package io.trtfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.testing.S3ProxyServer;
import io.trtfleet.testing.TestModels;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials never reach the console: the CLI runs in its own JVM with the shipped conf/log4j2.properties
 * against S3Proxy, with a secret holding '/', a space and '+', given every way an operator might (--conf,
 * in a store URI, mistyped options, a wrong secret); everything it prints, logs included, is searched for
 * the keys.
 */
class SecretsInOutputTest {

  private static final String ACCESS = "AKIDSECRETTEST0042";
  private static final String SECRET = "s3cr3t/With Space+Plus9";
  private static final String WRONG = "wr0ng/Secret Value7";

  @TempDir
  Path tmp;

  private record Output(int exit, String text) {}

  private static Output trtfleet(String... args) throws Exception {
    Path root = Path.of(System.getProperty("trtfleet.root", ".."));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:TieredStopAtLevel=1",
        "-Dlog4j2.configurationFile=" + root.resolve("conf/log4j2.properties").toAbsolutePath(), "-cp",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), Main.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    return new Output(p.exitValue(), text);
  }

  private static List<String> conf(String endpoint, String secret) {
    List<String> c = new ArrayList<>();
    for (String kv : new String[] {"fs.s3a.endpoint=" + endpoint, "fs.s3a.endpoint.region=us-east-1",
        "fs.s3a.path.style.access=true", "fs.s3a.connection.ssl.enabled=false", "fs.s3a.access.key=" + ACCESS,
        "fs.s3a.secret.key=" + secret, "fs.s3a.retry.limit=1", "fs.s3a.attempts.maximum=1",
        "fs.s3a.aws.credentials.provider=org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"}) {
      c.add("--conf");
      c.add(kv);
    }
    return c;
  }

  private static String[] args(List<String> conf, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(conf);
    return all.toArray(String[]::new);
  }

  @Test
  void noCredentialAppearsInAnyOutput() throws Exception {
    Path model = TestModels.mlp(tmp.resolve("model"));
    Path build = tmp.resolve("build");
    Files.createDirectories(build.resolve("engines"));
    Files.writeString(build.resolve("engines/a.plan"), "plan");
    try (S3ProxyServer s3 = S3ProxyServer.withCredentials(ACCESS, SECRET, "secret-bucket")) {
      String store = "s3a://secret-bucket/fleet";
      List<String> good = conf(s3.endpoint(), SECRET);
      List<Output> runs = new ArrayList<>();
      String[] publish = {"publish", "--store", store, "--model-name", "mlp", "--model", model.toString(),
          "--device-key", "l4", "--backend", "trt-10.6.0", "--precision", "fp16", "--from", build.toString()};
      runs.add(expect(0, trtfleet(args(good, publish))));
      runs.add(expect(0, trtfleet(args(good, "ls", "--store", store, "--verify"))));
      runs.add(expect(2, trtfleet(args(conf(s3.endpoint(), WRONG), "ls", "--store", store))));
      runs.add(expect(2, trtfleet(args(good, "ls", "--store", "s3a://" + ACCESS + ":" + SECRET + "@secret-bucket/x"))));
      runs.add(expect(2, trtfleet(args(good, "ls", "--store",
          "s3a://" + ACCESS + ":" + SECRET.replace(" ", "") + "@secret-bucket/x"))));
      runs.add(expect(2, trtfleet(args(good, "ls", "--store", store, "--cnf", "fs.s3a.secret.key=" + SECRET))));

      List<String> secrets = new ArrayList<>();
      for (String s : new String[] {ACCESS, SECRET, WRONG, SECRET.replace(" ", ""), "s3cr3t/With", "Secret Value7"}) {
        secrets.add(s);
        secrets.add(URLEncoder.encode(s, StandardCharsets.UTF_8));
      }
      for (Output r : runs) {
        for (String s : secrets) {
          assertFalse(r.text().contains(s), "'" + s + "' printed: " + r.text());
        }
        System.out.println("exit " + r.exit() + ": " + r.text().strip().replace("\n", " | "));
      }
    }
  }

  private static Output expect(int exit, Output r) throws IOException {
    assertEquals(exit, r.exit(), r.text());
    return r;
  }
}
