package io.trtfleet.calibrationdata.samples;

import java.nio.file.Path;

/** Command-line options of {@link FashionMnistTrainer}. */
record TrainerOptions(Path data, Path out, int epochs, long seed, int batchSize, float learningRate,
    int trainLimit, int threads) {

  static final String USAGE = """
      usage: FashionMnistTrainer [--data DIR] [--out DIR] [--epochs N] [--seed S] [--batch N]
                                 [--learning-rate LR] [--train-limit N] [--threads N]
        --data           directory with the four Fashion-MNIST gzip IDX files
                         (default /usr/share/datasets/fashion-mnist)
        --out            output directory; the SavedModel goes to OUT/saved_model
                         (default calibration-data/samples/fashion-mnist-cnn)
        --epochs         passes over the training set (default 6)
        --seed           seed for the initial weights and the shuffle (default 42)
        --batch          mini-batch size (default 64)
        --learning-rate  initial Adam learning rate, decayed to a tenth by the end (default 0.001)
        --train-limit    train on the first N images only, for smoke tests (default all)
        --threads        TensorFlow intra-op threads; results repeat only for the same count
                         (default 1)""";

  static TrainerOptions parse(String[] args) {
    Path data = FashionMnist.DEFAULT_DIR;
    Path out = Path.of("calibration-data/samples/fashion-mnist-cnn");
    int epochs = 6;
    long seed = 42;
    int batch = 64;
    float lr = 1e-3f;
    int trainLimit = Integer.MAX_VALUE;
    int threads = 1;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--help") || flag.equals("-h")) {
        throw new IllegalArgumentException(USAGE);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + flag + "\n" + USAGE);
      }
      String value = args[++i];
      try {
        switch (flag) {
          case "--data" -> data = Path.of(value);
          case "--out" -> out = Path.of(value);
          case "--epochs" -> epochs = positive(flag, Integer.parseInt(value));
          case "--seed" -> seed = Long.parseLong(value);
          case "--batch" -> batch = positive(flag, Integer.parseInt(value));
          case "--learning-rate" -> lr = Float.parseFloat(value);
          case "--train-limit" -> trainLimit = positive(flag, Integer.parseInt(value));
          case "--threads" -> threads = positive(flag, Integer.parseInt(value));
          default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad number for " + flag + ": " + value, e);
      }
    }
    return new TrainerOptions(data, out, epochs, seed, batch, lr, trainLimit, threads);
  }

  private static int positive(String flag, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(flag + " must be positive, got " + value);
    }
    return value;
  }
}
