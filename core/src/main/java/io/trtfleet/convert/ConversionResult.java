package io.trtfleet.convert;

import io.trtfleet.segment.Segment;
import java.util.Optional;

/**
 * The outcome for one segment: an ONNX model, or the reason the segment stays in TensorFlow (the
 * first node no converter could express exactly).
 */
public record ConversionResult(Segment segment, ConvertedSegment converted, String fallbackReason) {

  static ConversionResult success(ConvertedSegment c) {
    return new ConversionResult(c.segment(), c, null);
  }

  static ConversionResult fallback(Segment segment, String reason) {
    return new ConversionResult(segment, null, reason);
  }

  public boolean isConverted() {
    return converted != null;
  }

  public Optional<ConvertedSegment> model() {
    return Optional.ofNullable(converted);
  }

  /** The converted model; a user-facing error naming the reason when the segment fell back. */
  public ConvertedSegment orElseThrow() {
    if (converted == null) {
      throw new io.trtfleet.TrtfleetException("segment " + segment.name() + " cannot be converted to ONNX: "
          + fallbackReason);
    }
    return converted;
  }
}
