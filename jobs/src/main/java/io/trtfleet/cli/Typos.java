package io.trtfleet.cli;

import java.util.List;

/**
 * Which of picocli's "did you mean" candidates are plausible typos of what was typed: picocli ranks by
 * shared letter pairs, which for a short word also offers unrelated long names (inpsect: inspect or
 * sensitivity). A typo is a few edits away: at most max(2, length / 3) insertions, deletions,
 * substitutions or swaps of neighbours; a name cut short (--calib) is plausible too.
 */
final class Typos {

  private Typos() {}

  static List<String> plausible(String typed, List<String> candidates) {
    String t = typed.replaceFirst("^-+", "");
    int limit = Math.max(2, t.length() / 3);
    return candidates.stream().filter(c -> {
      String name = c.replaceFirst("^-+", "");
      return name.startsWith(t) || distance(t, name) <= limit;
    }).toList();
  }

  /** Edits from a to b, a swap of two neighbours counting as one (optimal string alignment). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      for (int j = 0; j <= b.length(); j++) {
        if (i == 0 || j == 0) {
          d[i][j] = i + j;
          continue;
        }
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
