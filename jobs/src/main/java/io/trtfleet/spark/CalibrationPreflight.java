package io.trtfleet.spark;

import io.trtfleet.graph.Signature;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelReader;
import java.util.List;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;

/**
 * The checks a calibration can make in a second, before Spark and TensorFlow start (which take tens of
 * seconds): the SavedModel and its signature (read from saved_model.pb alone), the calibration set
 * reachable and in Parquet, and its columns matching the signature's inputs ({@link CalibrationSchema},
 * on the footer's schema). The job repeats the column match on Spark's own schema.
 */
public final class CalibrationPreflight {

  private CalibrationPreflight() {}

  /** Throws a TrtfleetException naming the input at fault; returns how the set feeds the signature. */
  public static List<InputColumn> check(CalibrateOptions o) {
    return check(o, ParquetFooterSchema::hadoopConfiguration);
  }

  static List<InputColumn> check(CalibrateOptions o, Supplier<Configuration> conf) {
    Signature signature = signature(o.model());
    return CalibrationSchema.match(ParquetFooterSchema.read(o.dataUri(), conf, "calibration data"), signature,
        o.inputMap(), o.dataUri());
  }

  private static Signature signature(ImportOptions model) {
    var metaGraph = SavedModelReader.metaGraph(SavedModelReader.read(model.modelDir()), model.modelDir(), model.tags());
    return SavedModelReader.signature(metaGraph, model.modelDir(), model.signatureKey());
  }
}
