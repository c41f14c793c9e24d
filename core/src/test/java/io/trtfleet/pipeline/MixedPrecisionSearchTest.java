package io.trtfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MixedPrecisionSearchTest {

  @Test
  void findsTheSmallestPassingCountWithFewBuilds() {
    for (int n = 1; n <= 60; n++) {
      for (int need = 1; need <= n; need++) {
        int threshold = need;
        List<Integer> tried = new ArrayList<>();
        int k = MixedPrecisionSearch.smallestPassing(n, m -> {
          tried.add(m);
          return m >= threshold;
        });
        assertEquals(need, k, "n " + n);
        assertEquals(n, tried.get(0), "all in float is tried first");
        assertEquals(tried.size(), tried.stream().distinct().count(), "no count is built twice: " + tried);
        int bound = 1 + (int) Math.ceil(Math.log(n) / Math.log(2));
        assertEquals(true, tried.size() <= bound, n + ": " + tried + " builds, at most " + bound);
      }
    }
  }

  @Test
  void noCountPassesWhenAllInFloatFails() {
    List<Integer> tried = new ArrayList<>();
    assertEquals(-1, MixedPrecisionSearch.smallestPassing(8, m -> {
      tried.add(m);
      return false;
    }));
    assertEquals(List.of(8), tried, "one build tells it");
    assertEquals(-1, MixedPrecisionSearch.smallestPassing(0, m -> true), "nothing to keep in float");
  }

  @Test
  void aNonMonotoneGateStillGetsAPassingAnswer() {
    // 3 passes, 4 and 5 fail, 6 and up pass: bisection may not find 3, but what it returns passed.
    int k = MixedPrecisionSearch.smallestPassing(8, m -> m == 3 || m >= 6);
    assertEquals(true, k == 3 || k >= 6, "answer " + k);
  }
}
