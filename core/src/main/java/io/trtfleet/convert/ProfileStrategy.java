package io.trtfleet.convert;

/**
 * TF-TRT's optimization profile strategies for dynamic shapes, computed from the input shapes seen
 * in examples (calibration or validation batches).
 */
public enum ProfileStrategy {
  /** One profile: per dimension min and max over all examples; opt = max. TF-TRT's default. */
  RANGE,
  /** One profile per distinct example shape, min = opt = max: fastest for exactly those shapes. */
  OPTIMAL,
  /** The OPTIMAL profiles followed by the RANGE profile. */
  RANGE_OPTIMAL,
  /** One profile per distinct example shape with the batch free from 1: min batch 1, opt = max = shape. */
  IMPLICIT_BATCH_MODE_COMPATIBLE
}
