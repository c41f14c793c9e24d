package io.trtfleet.store;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A publisher in a JVM of its own, for {@link StoreKillTest}: publishes the given keys one after another,
 * printing every publish step (and sleeping a little at each, so a kill lands anywhere) until it is
 * killed. Arguments: store URI, build output folder, seed, then device keys. Hadoop settings come in the
 * environment as {@code TRTFLEET_TEST_CONF="k=v\nk=v"} (never on the command line, where ps shows them).
 */
public final class PublisherProcess {

  static final String CONF_ENV = "TRTFLEET_TEST_CONF";
  static final String STEP = "step ";
  static final long STEP_DELAY_MS = 15;

  private PublisherProcess() {}

  public static void main(String[] args) throws Exception {
    Configuration conf = new Configuration();
    for (String line : System.getenv().getOrDefault(CONF_ENV, "").split("\n")) {
      if (line.contains("=")) {
        conf.set(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }
    // Runs one after another: a killed predecessor's lock is broken after a second, not ten minutes.
    conf.setLong(ArtifactStore.LOCK_STALE_SECONDS, 1);
    ArtifactStore store = ArtifactStore.open(URI.create(args[0]), conf).observed(step -> {
      System.out.println(STEP + step);
      System.out.flush();
      try {
        Thread.sleep(STEP_DELAY_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    System.out.println(STEP + "started");
    System.out.flush();
    long seed = Long.parseLong(args[2]);
    Publication pub = Publication.fromDirectory(BuildOutputs.write(Path.of(args[1]), seed)).build();
    TargetKey base = BuildOutputs.key("cnn");
    for (int i = 3; i < args.length; i++) {
      store.publish(new TargetKey(base.model(), base.modelDigest(), base.backend(), args[i], base.precision()), pub);
      System.out.println(STEP + "published " + args[i]);
    }
    System.out.println("done");
    System.out.flush();
  }

  /** The environment value that carries {@code settings}. */
  static String confEnv(Map<String, String> settings) {
    StringBuilder b = new StringBuilder();
    settings.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    return b.toString();
  }

  /** A generous bound on how long one child may take, for the parent's waits. */
  static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);
}
