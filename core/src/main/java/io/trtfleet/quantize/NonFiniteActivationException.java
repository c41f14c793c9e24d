package io.trtfleet.quantize;

import io.trtfleet.TrtfleetException;

/** An activation that is NaN or infinite: the data or the model is broken, no threshold can be trusted. */
public final class NonFiniteActivationException extends TrtfleetException {

  private static final long serialVersionUID = 1L;

  public NonFiniteActivationException(String tensor, float value) {
    super("tensor '" + tensor + "' produced " + value + " during calibration: check the calibration"
        + " data for NaN/Inf (trtfleet calibration-data validate) and the model for overflow");
  }
}
