package io.trtfleet.spark;

import io.trtfleet.TrtfleetException;
import io.trtfleet.calibrate.ActivationCollector;
import io.trtfleet.calibrate.GpuActivationCollector;
import io.trtfleet.quantize.CalibrationCollector;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.resource.ExecutorResourceRequests;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.apache.spark.sql.SparkSession;

/**
 * Where calibration tasks count activations, decided once on the driver: TensorFlow on the CPU, or
 * TensorRT FP32 plus CUDA histogram kernels on the GPU Spark assigned the task. Travels to the executors,
 * which open their collector with {@link #open}.
 */
record CollectorDevice(boolean gpu, String resource, ResourceProfile profile) implements Serializable {

  /** The device for this session; on a cluster, GPU tasks request one {@code resource} each. */
  static CollectorDevice decide(SparkSession spark, CalibrateOptions o, boolean localGpu) {
    String master = spark.sparkContext().master();
    boolean gpu = resolve(o, spark.sparkContext().getConf(), master, localGpu) == CalibrateOptions.CalibrationDevice.GPU;
    // Stage-level scheduling (a GPU per task) needs a cluster manager; local mode runs on this JVM's GPU.
    return new CollectorDevice(gpu, o.gpuResource(), gpu && !master.startsWith("local") ? profile(o.gpuResource()) : null);
  }

  /**
   * AUTO is GPU when executors are offered the GPU resource ({@code spark.executor.resource.NAME.amount > 0})
   * or, in local mode, when this JVM has TensorRT and a GPU.
   */
  static CalibrateOptions.CalibrationDevice resolve(CalibrateOptions o, SparkConf conf, String master, boolean localGpu) {
    if (o.device() != CalibrateOptions.CalibrationDevice.AUTO) {
      return o.device();
    }
    if (master.startsWith("local")) {
      return localGpu ? CalibrateOptions.CalibrationDevice.GPU : CalibrateOptions.CalibrationDevice.CPU;
    }
    double amount = Double.parseDouble(conf.get("spark.executor.resource." + o.gpuResource() + ".amount", "0"));
    return amount > 0 ? CalibrateOptions.CalibrationDevice.GPU : CalibrateOptions.CalibrationDevice.CPU;
  }

  /** One GPU per executor and per task, of resource {@code name} (spark.executor.resource.NAME.*). */
  static ResourceProfile profile(String name) {
    return new ResourceProfileBuilder()
        .require(new ExecutorResourceRequests().resource(name, 1, "", ""))
        .require(new TaskResourceRequests().resource(name, 1.0))
        .build();
  }

  <T> JavaRDD<T> schedule(JavaRDD<T> rdd) {
    return profile == null ? rdd : rdd.withResources(profile);
  }

  String describe() {
    return gpu ? "GPU (TensorRT FP32 + CUDA histogram kernels)" + (profile != null ? ", tasks request resource '"
        + resource + "'" : "") : "CPU (TensorFlow)";
  }

  /** On an executor: the collector for this task. */
  CalibrationCollector open(ModelPayload model, List<String> tensors, int batch) {
    if (!gpu) {
      return new ActivationCollector(model.graph(), tensors, 1);
    }
    TaskContext task = TaskContext.get();
    return GpuActivationCollector.forGraph(model.graph(), tensors,
        deviceOrdinal(task == null ? null : task.resourcesJMap(), resource), batch);
  }

  /** The CUDA ordinal Spark assigned this task (first address of the resource), 0 when none was assigned. */
  static int deviceOrdinal(Map<String, ResourceInformation> resources, String name) {
    ResourceInformation info = resources == null ? null : resources.get(name);
    if (info == null || info.addresses().length == 0) {
      return 0;
    }
    try {
      return Integer.parseInt(info.addresses()[0].trim());
    } catch (NumberFormatException e) {
      throw new TrtfleetException("resource '" + name + "' address '" + info.addresses()[0]
          + "' is not a CUDA device ordinal: check the GPU discovery script", e);
    }
  }
}
