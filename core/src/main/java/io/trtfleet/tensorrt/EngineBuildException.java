package io.trtfleet.tensorrt;

import io.trtfleet.TrtfleetException;

/** TensorRT could not parse or build a segment; the message names the segment and, when known, the node. */
public final class EngineBuildException extends TrtfleetException {

  private static final long serialVersionUID = 1L;

  public EngineBuildException(String message) {
    super(message);
  }
}
