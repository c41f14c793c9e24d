package io.trtfleet;

/**
 * An error a user can act on: the message is one line that names the input at fault and says what to
 * do. The CLI prints it as is and exits non-zero; anything else is a bug and gets a stack trace.
 */
public class TrtfleetException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public TrtfleetException(String message) {
    super(message);
  }

  public TrtfleetException(String message, Throwable cause) {
    super(message, cause);
  }
}
