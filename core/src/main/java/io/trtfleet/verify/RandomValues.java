package io.trtfleet.verify;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.tensorflow.proto.TensorProto;

/** Single random values that follow a {@link ValueHints.Hint}: ids in range, keys from a table, words. */
final class RandomValues {

  /** Integers without a bound are small: counts, classes, buckets. */
  static final int DEFAULT_INT_BOUND = 10;
  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";

  private RandomValues() {}

  static long integer(Random random, ValueHints.Hint hint) {
    if (hint.indexBound() > 0) {
      return (long) (random.nextDouble() * hint.indexBound());
    }
    TensorProto keys = first(hint.keys());
    if (keys != null && keys.getInt64ValCount() > 0) {
      return keys.getInt64Val(random.nextInt(keys.getInt64ValCount()));
    }
    if (keys != null && keys.getIntValCount() > 0) {
      return keys.getIntVal(random.nextInt(keys.getIntValCount()));
    }
    return random.nextInt(DEFAULT_INT_BOUND);
  }

  /** A table key, or several separated by spaces when the text is split into words before the lookup. */
  static byte[] text(Random random, ValueHints.Hint hint) {
    int words = hint.words() ? 3 + random.nextInt(6) : 1;
    StringBuilder b = new StringBuilder();
    TensorProto keys = first(hint.keys());
    for (int w = 0; w < words; w++) {
      if (w > 0) {
        b.append(' ');
      }
      if (keys != null && keys.getStringValCount() > 0) {
        b.append(keys.getStringVal(random.nextInt(keys.getStringValCount())).toStringUtf8());
      } else {
        for (int c = 0, n = 3 + random.nextInt(5); c < n; c++) {
          b.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
        }
      }
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static TensorProto first(List<TensorProto> keys) {
    return keys.isEmpty() ? null : keys.get(0);
  }
}
