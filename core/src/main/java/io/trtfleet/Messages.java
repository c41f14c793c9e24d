package io.trtfleet;

/** Shapes third-party error text (TensorFlow, Spark, ONNX Runtime) into trtfleet's one-line messages. */
public final class Messages {

  private Messages() {}

  /** The first line of a message, or "no message". */
  public static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /**
   * The whole message on one line (line breaks and indentation of TensorFlow's and ONNX Runtime's
   * multi-line errors become "; "), so nothing is cut off and the CLI still prints one line.
   */
  public static String oneLine(String message) {
    if (message == null) {
      return "no message";
    }
    return message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }

  /** The first line of the root cause's message (the wrapper exceptions of Spark say little). */
  public static String rootFirstLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : firstLine(root.getMessage());
  }

  /**
   * What to tell a person about a failure: the message of the first {@link TrtfleetException} in the cause
   * chain (it names the input and what to do), else the root cause's first line.
   */
  public static String forPeople(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof TrtfleetException) {
        return firstLine(c.getMessage());
      }
    }
    return rootFirstLine(e);
  }
}
