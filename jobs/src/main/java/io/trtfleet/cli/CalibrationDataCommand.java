package io.trtfleet.cli;

import picocli.CommandLine.Command;

/** {@code trtfleet calibration-data}: make and check Parquet calibration sets (calibration-data/README.md). */
@Command(name = "calibration-data", mixinStandardHelpOptions = true,
    description = "Make and check Parquet calibration sets (one row per sample, one column per signature input).",
    subcommands = {CalibrationDataImportCommand.class, CalibrationDataValidateCommand.class})
public final class CalibrationDataCommand {
}
