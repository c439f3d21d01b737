package dev.airlock.ipc;

import java.util.Set;

/**
 * The java launcher's command-line syntax that both sides of the drop-in must read alike: the
 * agent, which rebuilds the program's command line for the broker, and the broker, which finds the
 * class path, the main class and the program's own arguments in it. If the two disagreed on where
 * an option's value ends, one would take a program argument for a launcher option.
 */
public final class LauncherOptions {
    /** The options whose value is the next argument, as the launcher's {@code IsWhiteSpaceOption} knows them. */
    private static final Set<String> WITH_VALUE = Set.of(
            "-cp",
            "-classpath",
            "--class-path",
            "-p",
            "--module-path",
            "--upgrade-module-path",
            "--add-modules",
            "--enable-native-access",
            "--limit-modules",
            "--add-exports",
            "--add-opens",
            "--add-reads",
            "--patch-module",
            "--describe-module",
            "-d",
            "--source");

    private LauncherOptions() {}

    /** Whether {@code option} takes the next argument as its value ({@code -cp DIR}, not {@code --module-path=DIR}). */
    public static boolean takesValue(String option) {
        return WITH_VALUE.contains(option);
    }
}
