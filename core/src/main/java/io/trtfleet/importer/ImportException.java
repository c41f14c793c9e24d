package io.trtfleet.importer;

import io.trtfleet.TrtfleetException;

/** A SavedModel that cannot be imported, with what is wrong and what to do. */
public final class ImportException extends TrtfleetException {

  private static final long serialVersionUID = 1L;

  public ImportException(String message) {
    super(message);
  }

  public ImportException(String message, Throwable cause) {
    super(message, cause);
  }
}
