package io.trtfleet.tensorrt;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** TensorRT's log into SLF4J; errors are also kept, so a failed build can say what TensorRT said. */
final class TrtLogger extends ILogger {

  private static final Logger LOG = LoggerFactory.getLogger("tensorrt");
  private final List<String> errors = new ArrayList<>();

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

  List<String> errors() {
    synchronized (errors) {
      return List.copyOf(errors);
    }
  }
}
