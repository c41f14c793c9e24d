package io.trtfleet.cli;

import java.util.List;
import org.apache.commons.lang3.StringUtils;

/**
 * Which of picocli's "did you mean" candidates are plausible typos of what was typed: picocli ranks by
 * shared letter pairs, which for a short word also offers unrelated long names (inpsect: inspect or
 * sensitivity). A typo is at most max(2, length / 3) edits away; a name cut short (--calib) is plausible too.
 */
final class Typos {

  private Typos() {}

  @SuppressWarnings("deprecation") // commons-text, which replaces it, is only on Spark's classpath
  static List<String> plausible(String typed, List<String> candidates) {
    String t = typed.replaceFirst("^-+", "");
    int limit = Math.max(2, t.length() / 3);
    return candidates.stream().filter(c -> {
      String name = c.replaceFirst("^-+", "");
      return name.startsWith(t) || StringUtils.getLevenshteinDistance(t, name) <= limit;
    }).toList();
  }
}
