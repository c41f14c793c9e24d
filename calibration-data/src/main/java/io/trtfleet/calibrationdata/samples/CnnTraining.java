package io.trtfleet.calibrationdata.samples;

import java.nio.file.Path;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Trains {@link FashionCnn} with softmax cross-entropy and Adam in a training-only graph, and saves
 * the trained variables to a checkpoint for {@link ServingExport}.
 *
 * <p>Reproducible, byte for byte, for a given seed, TF build and thread count: the initial weights
 * and the epoch shuffles come from seeded {@link Random}s, the graph has no random ops, the session
 * uses a fixed number of intra-op threads and one inter-op thread, and {@link AdamUpdates} orders
 * every update after all gradients. A different thread count gives slightly different weights.
 */
final class CnnTraining {

  /** The learning rate decays exponentially, step by step, to this fraction of its start. */
  static final double FINAL_LEARNING_RATE_FRACTION = 0.1;

  private CnnTraining() {}

  /** Session options for training: a fixed thread count, one inter-op thread. */
  static ConfigProto sessionConfig(int intraOpThreads) {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOpThreads)
        .setInterOpParallelismThreads(1)
        .build();
  }

  /** Trains for {@code options.epochs()} and writes the variables to {@code checkpointPrefix}. */
  static void train(FashionMnist train, FashionMnist test, TrainerOptions options,
      Path checkpointPrefix) {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      FashionCnn net = FashionCnn.build(tf, new SeededVariables(options.seed()));
      Placeholder<TFloat32> labels = tf.withName("labels").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, FashionMnist.CLASSES)));
      Operand<TFloat32> loss = tf.withName("loss").math.mean(
          tf.nn.softmaxCrossEntropyWithLogits(net.logits(), labels).loss(), tf.constant(0));
      AdamUpdates adam = AdamUpdates.minimize(graph, tf, loss, net.variables());

      try (Session session = new Session(graph, sessionConfig(options.threads()))) {
        session.initialize();
        Random shuffle = new Random(options.seed() ^ 0x5DEECE66DL);
        int[] order = Batches.identityOrder(train.size());
        int stepsPerEpoch = train.size() / options.batchSize(); // drop the last partial batch
        long totalSteps = (long) stepsPerEpoch * options.epochs();
        long step = 0;
        for (int epoch = 0; epoch < options.epochs(); epoch++) {
          shuffleInPlace(order, shuffle);
          long epochStart = System.nanoTime();
          double lossSum = 0;
          for (int b = 0; b < stepsPerEpoch; b++) {
            step++;
            int from = b * options.batchSize();
            float lr = (float) (options.learningRate()
                * Math.pow(FINAL_LEARNING_RATE_FRACTION, (double) (step - 1) / totalSteps));
            try (TFloat32 x = Batches.images(train, order, from, options.batchSize());
                TFloat32 y = Batches.oneHotLabels(train, order, from, options.batchSize())) {
              lossSum += adam.step(session, step, lr,
                  runner -> runner.feed(net.images(), x).feed(labels, y), loss);
            }
          }
          System.out.printf("epoch %d/%d: mean loss %.4f, test accuracy %.4f (%.1f s)%n",
              epoch + 1, options.epochs(), lossSum / stepsPerEpoch, accuracy(session, net, test),
              (System.nanoTime() - epochStart) / 1e9);
        }
        session.save(checkpointPrefix.toString());
      }
    }
  }

  /** Top-1 accuracy with the training session (progress only; the report uses the export). */
  private static double accuracy(Session session, FashionCnn net, FashionMnist data) {
    int[] order = Batches.identityOrder(data.size());
    int batch = 500;
    int correct = 0;
    for (int from = 0; from < data.size(); from += batch) {
      int size = Math.min(batch, data.size() - from);
      float[] probabilities = new float[size * FashionMnist.CLASSES];
      try (TFloat32 x = Batches.images(data, order, from, size);
          Result result = session.runner().feed(net.images(), x).fetch(net.probabilities()).run()) {
        ((TFloat32) result.get(0)).copyTo(DataBuffers.of(probabilities, false, false));
      }
      correct += Batches.countCorrect(probabilities, data, from, size);
    }
    return (double) correct / data.size();
  }

  /** Fisher-Yates with the given generator, so the order depends only on the seed. */
  private static void shuffleInPlace(int[] order, Random random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
  }
}
