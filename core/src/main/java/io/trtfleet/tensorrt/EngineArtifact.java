package io.trtfleet.tensorrt;

/** A serialized engine (plan bytes) with its metadata. */
public record EngineArtifact(byte[] plan, EngineMetadata metadata) {}
