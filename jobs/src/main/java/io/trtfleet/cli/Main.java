package io.trtfleet.cli;

import io.trtfleet.Locations;
import io.trtfleet.Secrets;
import io.trtfleet.TrtfleetException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code trtfleet} command line. A {@link TrtfleetException} (bad input the user can fix, also when
 * a Spark task threw it), an invalid option value ({@link IllegalArgumentException} from a validating
 * builder) or an option picocli cannot parse prints as one {@code error:} line and exits 2; anything
 * else is a bug and keeps its stack trace (exit 1). Every line printed has the secrets the arguments
 * reveal masked ({@link Secrets}): values of secret-named settings and the user-info of URIs.
 */
@Command(name = "trtfleet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "TensorFlow SavedModels to TensorRT engines for a fleet of GPUs.",
    subcommands = {InspectCommand.class, ConvertCommand.class, CalibrateCommand.class, CalibrationDataCommand.class,
        ExportOnnxCommand.class, VerifyCommand.class, SensitivityCommand.class, BuildCommand.class,
        BenchCommand.class, PublishCommand.class, LsCommand.class, FetchCommand.class, NightlyCommand.class})
public final class Main {

  public static final int EXIT_BAD_INPUT = 2;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (tests call this instead of main). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    // One reading of paths and URIs for every option: file:///x is the absolute path /x everywhere.
    cli.registerConverter(Path.class, text -> location(() -> Locations.localPath(text)));
    cli.registerConverter(URI.class, text -> location(() -> Locations.uri(text)));
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      Secrets secrets = Secrets.ofArguments(parsed.originalArgs().toArray(String[]::new));
      if (e instanceof IllegalArgumentException) {
        return badInput(cmd, e.getMessage(), secrets);
      }
      // Ours, or wrapped by Spark in its own exceptions (a task's failure): it names the input either way.
      for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
        if (c instanceof TrtfleetException) {
          return badInput(cmd, c.getMessage(), secrets);
        }
      }
      // A bug: the stack trace, with what the arguments revealed masked.
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      cmd.getErr().print(secrets.redact(trace.toString()));
      cmd.getErr().flush();
      return CommandLine.ExitCode.SOFTWARE;
    });
    // A mistyped option gets the same one line as any other bad input, not the whole usage text.
    // picocli echoes the offending value, which may be a secret (--cnf fs.s3a.secret.key=..., a URI with keys).
    cli.setParameterExceptionHandler((e, args) -> badInput(e.getCommandLine(), parameterMessage(e),
        Secrets.ofArguments(args)));
    return cli;
  }

  /**
   * What went wrong parsing the command line, with picocli's "did you mean" for a mistyped option or
   * command. An unknown option is reported first: it is often why a required one looks missing.
   */
  static String parameterMessage(CommandLine.ParameterException e) {
    CommandLine cmd = e.getCommandLine();
    String message = e.getMessage();
    List<String> unmatched = e instanceof CommandLine.UnmatchedArgumentException u ? u.getUnmatched()
        : cmd.getUnmatchedArguments();
    if (!unmatched.isEmpty()) {
      String first = unmatched.get(0);
      message = (first.startsWith("-") ? "unknown option '" : cmd.getSubcommands().isEmpty()
          ? "unexpected argument '" : "unknown command '") + first + "'";
      List<String> suggestions = Typos.plausible(first,
          new CommandLine.UnmatchedArgumentException(cmd, unmatched).getSuggestions());
      if (!suggestions.isEmpty()) {
        message += ": did you mean " + String.join(" or ", suggestions.stream().limit(3).toList()) + "?";
      }
    }
    return message + " (see " + cmd.getCommandSpec().qualifiedName() + " --help)";
  }

  /** A location option's value, or picocli's conversion error carrying our one line. */
  private static <T> T location(java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (TrtfleetException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  private static int badInput(CommandLine cmd, String message, Secrets secrets) {
    PrintWriter err = cmd.getErr();
    err.println("error: " + secrets.redact(String.valueOf(message)).strip().replace("\n", "; "));
    err.flush();
    return EXIT_BAD_INPUT;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return Versions.lines().toArray(String[]::new);
    }
  }
}
