package io.trtfleet.segment;

/** A node left to TensorFlow, with why: its validator's reason or the segmenter's. */
public record Rejection(String node, String op, String reason) {}
