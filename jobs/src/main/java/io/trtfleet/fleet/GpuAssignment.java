package io.trtfleet.fleet;

import java.io.Serializable;

/**
 * The GPU a build task was given: the pool's resource, the address Spark assigned, the GPU's name as
 * nvidia-smi reports it, and where the task runs. Local runs (no resource scheduling) get {@link #none}.
 */
public record GpuAssignment(String resource, String address, String gpuName, String executorId, String host)
    implements Serializable {

  public static final String NONE = "none";

  public static GpuAssignment none(String resource, String executorId, String host) {
    return new GpuAssignment(resource, NONE, NONE, executorId, host);
  }

  public TargetResult.Worker worker() {
    return new TargetResult.Worker(executorId, host, resource, address, gpuName);
  }
}
