package dev.airlock.broker;

import dev.airlock.policy.NotEnforced;
import dev.airlock.policy.PolicyCheck;
import dev.airlock.policy.PolicyWarning;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock check FILE...}: validates policies without running anything. Exit 0 when every
 * file is valid: warnings ({@code FILE:LINE:COL: warning: ...}), what Airlock does not enforce
 * (one {@code not enforced by Airlock: ...} line per group, across all files) and notes on
 * directories that stay hidden ({@code note: ...}) go to stderr. Exit 2 with one
 * {@code FILE:LINE:COL: message} line per error when any file is not valid: the same lines, and
 * the same exit code, {@code airlock run} refuses to start with.
 */
@Command(name = "check", description = "Validate policy files.", mixinStandardHelpOptions = true)
final class CheckCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Policy files to check.")
    List<Path> files = new ArrayList<>();

    private final PrintStream err;

    CheckCommand(PrintStream err) {
        this.err = err;
    }

    @Override
    public Integer call() {
        PolicyCheck check = PolicyCheck.check(files);
        for (PolicyWarning warning : check.warnings()) {
            err.println(warning);
        }
        for (NotEnforced group : check.notEnforced()) {
            err.println(group);
        }
        for (String note : check.notes()) {
            err.println(note);
        }
        for (String error : check.errors()) {
            err.println(error);
        }
        return check.ok() ? 0 : ExitCodes.USAGE;
    }
}
