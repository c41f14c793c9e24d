package io.trtfleet.importer;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which SavedModel, which MetaGraph (tag set; the empty set selects a MetaGraph saved without tags, as
 * TF1 Hub modules are) and which signature to import.
 */
public record ImportOptions(Path modelDir, Set<String> tags, String signatureKey) {

  public static final String DEFAULT_SIGNATURE = "serving_default";
  public static final String SERVE_TAG = "serve";

  public ImportOptions {
    Objects.requireNonNull(modelDir, "modelDir");
    Objects.requireNonNull(tags, "tags");
    if (signatureKey == null || signatureKey.isBlank()) {
      throw new IllegalArgumentException("signature key must not be empty");
    }
    tags = Set.copyOf(new TreeSet<>(tags));
  }

  public static Builder builder(Path modelDir) {
    return new Builder(modelDir);
  }

  public static ImportOptions of(Path modelDir) {
    return builder(modelDir).build();
  }

  /** Builder with TF-TRT's defaults: tag set {serve}, signature serving_default. */
  public static final class Builder {
    private final Path modelDir;
    private Set<String> tags = Set.of(SERVE_TAG);
    private String signatureKey = DEFAULT_SIGNATURE;

    private Builder(Path modelDir) {
      this.modelDir = modelDir;
    }

    /** Tags as the CLI takes them: comma-separated, e.g. {@code serve,gpu}; empty for no tags. */
    public Builder tags(String commaSeparated) {
      return tags(List.of(commaSeparated.split(",")).stream().map(String::trim)
          .filter(t -> !t.isEmpty()).toList());
    }

    public Builder tags(List<String> tags) {
      this.tags = Set.copyOf(tags);
      return this;
    }

    public Builder signature(String key) {
      this.signatureKey = key;
      return this;
    }

    public ImportOptions build() {
      return new ImportOptions(modelDir, tags, signatureKey);
    }
  }
}
