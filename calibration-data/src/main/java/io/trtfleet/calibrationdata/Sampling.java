package io.trtfleet.calibrationdata;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Deterministic subsets of a sample source, as ascending indices (so the subset keeps the source's
 * order). Randomness comes from {@link java.util.Random} seeded with the caller's seed: its algorithm
 * is specified by the JDK, so a seed picks the same samples on every JVM.
 */
public final class Sampling {

  private Sampling() {}

  /** All indices {@code 0..size-1}. */
  public static int[] all(int size) {
    int[] all = new int[size];
    Arrays.setAll(all, i -> i);
    return all;
  }

  /** {@code n} of {@code size} indices, uniformly without replacement (partial Fisher-Yates), ascending. */
  public static int[] uniform(int size, int n, long seed) {
    checkCount(size, n);
    int[] picked = pick(all(size), n, new Random(seed));
    Arrays.sort(picked);
    return picked;
  }

  /**
   * {@code n} indices stratified by label: each class gets its proportional share
   * {@code n * classCount / total}, rounded down, and the samples still missing go one each to the
   * classes with the largest remainders (ties: smaller label first), so the shares add up to {@code n}
   * exactly (Hamilton's method, integer arithmetic). Within a class the samples are drawn uniformly
   * without replacement, classes in ascending label order from one generator. Ascending result.
   */
  public static int[] stratified(int[] labels, int n, long seed) {
    checkCount(labels.length, n);
    Map<Integer, List<Integer>> byClass = new TreeMap<>();
    for (int i = 0; i < labels.length; i++) {
      byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
    }
    Map<Integer, Integer> quotas = quotas(byClass, labels.length, n);
    Random random = new Random(seed);
    int[] picked = new int[n];
    int filled = 0;
    for (Map.Entry<Integer, List<Integer>> e : byClass.entrySet()) {
      int[] members = e.getValue().stream().mapToInt(Integer::intValue).toArray();
      int[] chosen = pick(members, quotas.get(e.getKey()), random);
      System.arraycopy(chosen, 0, picked, filled, chosen.length);
      filled += chosen.length;
    }
    Arrays.sort(picked);
    return picked;
  }

  /** The per-class shares of {@link #stratified}: label -> count, adding up to {@code n}. */
  static Map<Integer, Integer> quotas(Map<Integer, List<Integer>> byClass, int total, int n) {
    Map<Integer, Integer> quotas = new TreeMap<>();
    List<long[]> remainders = new ArrayList<>();  // {remainder, label}
    int assigned = 0;
    for (Map.Entry<Integer, List<Integer>> e : byClass.entrySet()) {
      long scaled = (long) n * e.getValue().size();
      int floor = (int) (scaled / total);
      quotas.put(e.getKey(), floor);
      assigned += floor;
      remainders.add(new long[] {scaled % total, e.getKey()});
    }
    remainders.sort((a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[1], b[1]));
    for (int i = 0; i < n - assigned; i++) {
      quotas.merge((int) remainders.get(i)[1], 1, Integer::sum);
    }
    return quotas;
  }

  /** The first {@code n} elements of a partial Fisher-Yates shuffle of a copy of {@code from}. */
  private static int[] pick(int[] from, int n, Random random) {
    int[] a = from.clone();
    for (int i = 0; i < n; i++) {
      int j = i + random.nextInt(a.length - i);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return Arrays.copyOf(a, n);
  }

  private static void checkCount(int size, int n) {
    if (n < 0 || n > size) {
      throw new IllegalArgumentException("Cannot sample " + n + " of " + size + " samples");
    }
  }
}
