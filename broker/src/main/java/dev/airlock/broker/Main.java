package dev.airlock.broker;

import dev.airlock.ipc.StartupTimeline;
import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code airlock} command: {@code run} confines a Java program, {@code learn} writes the policy it used, {@code check} validates
 * policies, {@code sign} signs them, {@code explain} answers what a policy allows, {@code doctor} says which sandbox layers
 * this machine gives. Errors are one line on stderr,
 * {@code airlock: ...} or {@code FILE:LINE:COL: ...} for a policy, with exit code 2.
 */
@Command(
        name = "airlock",
        mixinStandardHelpOptions = true,
        version = Main.VERSION,
        description = "Runs a Java program with exactly the file access a java.policy grants, enforced by the kernel.")
public final class Main {
    /** The version {@code --version} prints and the audit log's run record names. */
    static final String VERSION = "airlock 0.1.0";

    private Main() {}

    public static void main(String[] args) {
        long entered = System.nanoTime();
        if (args.length > 0 && (args[0].equals("run") || args[0].equals("learn"))) {
            startTimeline(entered);
            // jnr-ffi's generated (ASM) call stubs save about 1 us per native call but take about
            // 200 ms longer to bind; a run that brokers fewer than tens of thousands of opens is
            // faster overall without them (measured: 9% less wall time for a whole Hello run).
            if (System.getProperty("jnr.ffi.asm.enabled") == null) {
                System.setProperty("jnr.ffi.asm.enabled", "false");
            }
            NativeWarmUp.start();
        }
        System.exit(run(args, System.err));
    }

    /**
     * Starts the start-up timeline ({@link StartupTimeline}) when {@code AIRLOCK_TIMELINE} asks for
     * it; one {@code getenv} when it does not. A value it does not know, or a {@code /proc} that
     * cannot say when this process started, ends the run before anything is started.
     */
    private static void startTimeline(long mainEntered) {
        try {
            if (StartupTimeline.requested(System.getenv(StartupTimeline.VARIABLE))) {
                StartupTimeline.startBroker(mainEntered);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("airlock: " + e.getMessage());
            System.exit(ExitCodes.USAGE);
        } catch (java.io.IOException e) {
            System.err.println("airlock: cannot start the start-up timeline: " + e.getMessage());
            System.exit(ExitCodes.INTERNAL);
        }
    }

    static int run(String[] args, PrintStream err) {
        CommandLine cli = new CommandLine(new Main());
        // Picocli builds each subcommand's model from its annotations by reflection as it is
        // added, before the helper of a run can be spawned: a run or a learn adds only its own
        // (its usage and its errors are the same); every other command line gets them all.
        String first = args.length > 0 ? args[0] : "";
        boolean confining = first.equals("run") || first.equals("learn");
        if (!confining || first.equals("run")) {
            cli.addSubcommand(new CommandLine(new RunCommand(err))
                    .setStopAtPositional(true)
                    .setUnmatchedOptionsArePositionalParams(true));
        }
        if (!confining || first.equals("learn")) {
            cli.addSubcommand(new CommandLine(new LearnCommand(err))
                    .setStopAtPositional(true)
                    .setUnmatchedOptionsArePositionalParams(true));
        }
        if (!confining) {
            cli.addSubcommand(new CheckCommand(err));
            cli.addSubcommand(new SignCommand(System.out));
            cli.addSubcommand(new ExplainCommand(System.out));
            cli.addSubcommand(new DoctorCommand(System.out));
            cli.addSubcommand(new AuditCommand());
        }
        // No @file expansion: the broker runs privileged, and "@x" among the program's arguments
        // is the program's to read (java passes it through after the main class), never the
        // broker's: expanding it would hand the helper a file the policy never saw.
        cli.setExpandAtFiles(false);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof AirlockException failure) {
                err.println(
                        failure.getMessage().matches("(?s)^\\S+:\\d+:\\d+: .*")
                                ? failure.getMessage()
                                : "airlock: " + failure.getMessage());
                return failure.exitCode();
            }
            err.println("airlock: " + e);
            return ExitCodes.INTERNAL;
        });
        cli.setErr(new java.io.PrintWriter(
                new java.io.OutputStreamWriter(err, java.nio.charset.Charset.defaultCharset()), true));
        return cli.execute(args);
    }
}
