package io.trtfleet.build;

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
    switch (severity) {
      case kINTERNAL_ERROR, kERROR -> {
        synchronized (errors) {
          errors.add(msg);
        }
        LOG.error(msg);
      }
      case kWARNING -> LOG.warn(msg);
      case kINFO -> LOG.debug(msg);
      default -> LOG.trace(msg);
    }
  }

  List<String> errors() {
    synchronized (errors) {
      return List.copyOf(errors);
    }
  }
}
