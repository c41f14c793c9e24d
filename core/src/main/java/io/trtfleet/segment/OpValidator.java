package io.trtfleet.segment;

import io.trtfleet.graph.Node;
import java.util.Optional;

/**
 * Decides whether TensorRT can run one node: empty when it can, otherwise the reason, one line
 * without the op name (the table prefixes it: {@code "Cast: int32 -> float64 not supported"}).
 */
@FunctionalInterface
public interface OpValidator {

  Optional<String> validate(Node node, ValidationContext context);

  /** Every node of the op is accepted (beyond the common tensor checks). */
  static OpValidator any() {
    return (node, context) -> Optional.empty();
  }

  /** This validator, then {@code next} when this one accepts. */
  default OpValidator and(OpValidator next) {
    return (node, context) -> {
      Optional<String> reason = validate(node, context);
      return reason.isPresent() ? reason : next.validate(node, context);
    };
  }
}
