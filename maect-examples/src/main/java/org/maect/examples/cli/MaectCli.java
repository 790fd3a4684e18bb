package org.maect.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./maect} command line: one sub-command per job.
 *
 * <p>Each sub-command is its own class in this package; register it in {@code subcommands} below
 * (one line each, in the order a user meets them).
 */
@Command(
    name = "maect",
    mixinStandardHelpOptions = true,
    versionProvider = MaectVersion.class,
    description = "MAE-CT: masked autoencoders + contrastive tuning on Deeplearning4j.",
    subcommands = {
      CommandLine.HelpCommand.class,
      PipelineCommand.class,
      AblateCommand.class,
      DataCommand.class,
      HeadInitCommand.class,
      TuneCommand.class,
      EvaluateCommand.class,
      ClusterMetricsCommand.class,
      PretrainCommand.class,
      BenchCommand.class,
      ImportCommand.class,
      ExportCommand.class,
      EmbedCommand.class,
      BenchEvalCommand.class,
    })
public final class MaectCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns the exit code (tests call this instead of {@link #main}). */
  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new MaectCli());
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          cmd.getErr().println("maect: " + ex.getMessage());
          org.slf4j.LoggerFactory.getLogger(MaectCli.class).debug("stack trace", ex);
          return 1;
        });
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
