package io.trtfleet.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.trtfleet.TrtfleetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What to publish: local files by store-relative path (each under engines/, saved_model/, onnx/, triton/,
 * calibration/ or report/) and the manifest fields that describe the build. Built with {@link #builder()} or read
 * from an output directory with {@link #fromDirectory}.
 */
public record Publication(SortedMap<String, Path> files, String status, String signature, String calibrationDigest,
    String calibrationAlgorithm, JsonNode conversionOptions, String computeCapability, String gpuName,
    String driverVersion, List<EngineSpec> engines, JsonNode validation, JsonNode benchmark, double buildSeconds) {

  public Publication {
    // Sorted: uploads and manifest lists come out in one stable order.
    files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    for (Map.Entry<String, Path> e : files.entrySet()) {
      checkRelative(e.getKey());
      refuseLink(e.getValue());
      if (!Files.isRegularFile(e.getValue(), LinkOption.NOFOLLOW_LINKS)) {
        throw new TrtfleetException("cannot publish " + e.getKey() + ": " + e.getValue() + " is not a readable file");
      }
    }
    if (files.isEmpty()) {
      throw new TrtfleetException("nothing to publish: no files under " + StoreLayout.sectionList());
    }
    engines = List.copyOf(engines);
    for (EngineSpec en : engines) {
      if (!files.containsKey(en.file())) {
        throw new IllegalArgumentException("engine " + en.file() + " is not among the published files");
      }
    }
    status = status == null ? Manifest.OK : status;
  }

  /** An engine to describe in the manifest: its file among {@link #files}, profiles (free-form JSON), precision. */
  public record EngineSpec(String file, JsonNode profiles, String precision) {}

  /**
   * Everything under {@code dir}'s section folders ({@link StoreLayout#SECTIONS}; hidden files
   * skipped); each .plan under engines/ is listed as an engine of the key's precision.
   */
  public static Builder fromDirectory(Path dir) {
    Builder b = builder();
    boolean any = false;
    for (String section : StoreLayout.SECTIONS.stream().sorted().toList()) {
      Path sub = dir.resolve(section);
      refuseLink(sub);
      if (!Files.isDirectory(sub)) {
        continue;
      }
      any = true;
      try (Stream<Path> walk = Files.walk(sub)) {  // does not follow links: each is refused below
        for (Path f : walk.sorted().toList()) {
          refuseLink(f);
          if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || f.getFileName().toString().startsWith(".")) {
            continue;  // folders; .crc and editor files are not build outputs
          }
          String rel = dir.relativize(f).toString().replace('\\', '/');
          b.file(rel, f);
          if (section.equals("engines") && rel.endsWith(".plan")) {
            b.engine(rel, null, null);
          }
        }
      } catch (IOException e) {
        throw new TrtfleetException("cannot read " + sub + " (" + e.getMessage() + ")", e);
      }
    }
    if (!any) {
      throw new TrtfleetException("nothing to publish in " + dir
          + ": expected " + StoreLayout.sectionList() + " folders");
    }
    return b;
  }

  /**
   * A build folder holds files, not links: a link could publish anything the publisher can read (it
   * once published /etc/hostname), and the store keeps bytes, not links.
   */
  private static void refuseLink(Path p) {
    if (Files.isSymbolicLink(p)) {
      String to;
      try {
        to = " (to " + Files.readSymbolicLink(p) + ")";
      } catch (IOException | UnsupportedOperationException e) {
        to = "";
      }
      throw new TrtfleetException("cannot publish " + p + ": it is a symbolic link" + to
          + "; links are not followed: copy the file itself into the build folder");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The path must stay inside the build folder: a known section, then plain segments. */
  static void checkRelative(String rel) {
    String[] parts = rel.split("/", -1);
    if (parts.length < 2 || !StoreLayout.SECTIONS.contains(parts[0])) {
      throw new IllegalArgumentException("published path '" + rel
          + "' must start with " + StoreLayout.sectionList());
    }
    for (String p : parts) {
      if (p.isEmpty() || p.equals(".") || p.equals("..") || p.contains("\\") || p.contains(":")) {
        throw new IllegalArgumentException("published path '" + rel + "' has an empty, '.', '..' or odd segment");
      }
    }
  }

  /** Collects files and manifest fields; unset fields stay null in the manifest. */
  public static final class Builder {
    private final SortedMap<String, Path> files = new TreeMap<>();
    private final List<EngineSpec> engines = new ArrayList<>();
    private String status = Manifest.OK;
    private String signature;
    private String calibrationDigest;
    private String calibrationAlgorithm;
    private JsonNode conversionOptions;
    private String computeCapability;
    private String gpuName;
    private String driverVersion;
    private JsonNode validation;
    private JsonNode benchmark;
    private double buildSeconds;

    public Builder file(String relative, Path local) {
      files.put(relative, local);
      return this;
    }

    public Builder engine(String relative, JsonNode profiles, String precision) {
      engines.removeIf(e -> e.file().equals(relative));
      engines.add(new EngineSpec(relative, profiles, precision));
      return this;
    }

    public Builder status(String v) {
      status = v;
      return this;
    }

    public Builder signature(String v) {
      signature = v;
      return this;
    }

    public Builder calibration(String digest, String algorithm) {
      calibrationDigest = digest;
      calibrationAlgorithm = algorithm;
      return this;
    }

    public Builder conversionOptions(JsonNode v) {
      conversionOptions = v;
      return this;
    }

    public Builder device(String gpu, String cc, String driver) {
      gpuName = gpu;
      computeCapability = cc;
      driverVersion = driver;
      return this;
    }

    public Builder validation(JsonNode v) {
      validation = v;
      return this;
    }

    public Builder benchmark(JsonNode v) {
      benchmark = v;
      return this;
    }

    public Builder buildSeconds(double v) {
      buildSeconds = v;
      return this;
    }

    public Publication build() {
      return new Publication(files, status, signature, calibrationDigest, calibrationAlgorithm, conversionOptions,
          computeCapability, gpuName, driverVersion, engines, validation, benchmark, buildSeconds);
    }
  }
}
