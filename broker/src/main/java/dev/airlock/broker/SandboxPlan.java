package dev.airlock.broker;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything a confined run decided before it touches the kernel, as one immutable value:
 * how the helper is confined (Landlock ABI, seccomp program, identity, namespaces), what it may
 * read and execute by itself (its Landlock rules, resolved), the class path entries it is shown
 * in its own mount namespace because its user cannot reach them ({@link ClassPathView}), and how it is started (launcher,
 * argv, environment, the descriptor number of its channel, the roots the agent answers metadata
 * queries under directly). {@link SandboxPlanner#plan} computes it; {@code airlock run} applies
 * it ({@link Confinement#spawn}). {@code warning} is what the run prints when the sandbox is
 * weaker than Airlock's default.
 */
record SandboxPlan(
        Confinement confinement,
        LandlockRules rules,
        ClassPathView view,
        HelperLaunch helper,
        Optional<String> warning) {
    /**
     * How the helper is started: {@code launcher} run with {@code argv} and {@code environment}
     * ({@code NAME=value} entries), its end of the channel at descriptor {@code channelFd}, and
     * the agent told {@code directRoots} (also in {@code argv}).
     */
    record HelperLaunch(
            Path launcher, List<String> argv, List<String> environment, int channelFd, List<String> directRoots) {
        HelperLaunch {
            argv = List.copyOf(argv);
            environment = List.copyOf(environment);
            directRoots = List.copyOf(directRoots);
        }
    }
}
