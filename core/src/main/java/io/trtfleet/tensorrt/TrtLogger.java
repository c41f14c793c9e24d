package io.trtfleet.tensorrt;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TensorRT's log into SLF4J; errors are also kept, so a failed build can say what TensorRT said. One
 * instance for the JVM: TensorRT calls a logger's native callback for as long as any runtime, engine,
 * context or builder made with it lives, so a logger the Java GC collected crashes the process (a call
 * through a null function pointer in libnvinfer, seen when a benchmark created execution contexts late).
 */
final class TrtLogger extends ILogger {

  static final TrtLogger INSTANCE = new TrtLogger();

  private static final Logger LOG = LoggerFactory.getLogger("tensorrt");
  private final List<String> errors = new ArrayList<>();

  private TrtLogger() {}

  @Override
  public void log(Severity severity, String msg) {
    // Compare the numeric levels: the enum instance a native callback passes is not reliable in a switch.
    int level = severity.value;
    if (level <= Severity.kERROR.value) {
      synchronized (errors) {
        errors.add(msg);
      }
      LOG.error(msg);
    } else if (level == Severity.kWARNING.value) {
      LOG.warn(msg);
    } else if (level == Severity.kINFO.value) {
      LOG.debug(msg);
    } else {
      LOG.trace(msg);
    }
  }

  /** How many errors were logged so far: {@link #errorsSince} a mark are one build's. */
  int mark() {
    synchronized (errors) {
      return errors.size();
    }
  }

  List<String> errorsSince(int mark) {
    synchronized (errors) {
      return List.copyOf(errors.subList(Math.min(mark, errors.size()), errors.size()));
    }
  }
}
