package dev.airlock.broker;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the user asked of a confined run, as values: the program's java arguments, the account
 * the helper should run as when the broker is root ({@code --user}), and the sandbox layers it
 * accepts to run without ({@code --allow-weaker}), the helper's temporary directory
 * ({@code --tmp}, {@code --no-tmp}, {@code --keep-tmp}: a {@link TmpChoice}) and the home it is
 * given ({@code --home}; empty: its user's own). {@code airlock run}'s command line is parsed
 * into this; so can any other front end (the drop-in agent's option string), since nothing here
 * knows how the values were spelled.
 */
record RunArguments(
        List<String> javaArgs, String user, Set<WeakerLayer> allowWeaker, TmpChoice tmp, Optional<Path> home) {
    /** The default {@code --user}. */
    static final String DEFAULT_USER = "nobody";

    /** A sandbox layer a run may do without, when the kernel lacks it. */
    enum WeakerLayer {
        LANDLOCK;

        /** The layer named {@code name} on a command line; a usage error for any other name. */
        static WeakerLayer named(String name) throws AirlockException {
            for (WeakerLayer layer : values()) {
                if (layer.label().equals(name)) {
                    return layer;
                }
            }
            throw new AirlockException(ExitCodes.USAGE, "--allow-weaker knows only 'landlock', not '" + name + "'");
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Which temporary directory the helper gets: a private one made for the run and removed after
     * it (kept with {@code --keep-tmp}), a given existing one ({@code --tmp DIR}, never removed),
     * or none ({@code --no-tmp}: the JDK's default, decided by the policy).
     */
    sealed interface TmpChoice {
        /** The default: a fresh directory of the helper's user, removed when the run ends unless {@code keep}. */
        record Private(boolean keep) implements TmpChoice {}

        /** {@code --tmp DIR}: an existing directory, given the same rights as a private one, never removed. */
        record Given(Path directory) implements TmpChoice {
            public Given {
                if (!directory.isAbsolute()) {
                    throw new IllegalArgumentException("--tmp needs an absolute path: " + directory);
                }
            }
        }

        /** {@code --no-tmp}. */
        record None() implements TmpChoice {}
    }

    /** A run with the default temporary directory and home: what the options before these gave. */
    RunArguments(List<String> javaArgs, String user, Set<WeakerLayer> allowWeaker) {
        this(javaArgs, user, allowWeaker, new TmpChoice.Private(false), Optional.empty());
    }

    /** These arguments with {@code tmp} and {@code home} instead: their checked real paths, once looked up. */
    RunArguments withDirectories(TmpChoice tmp, Optional<Path> home) {
        return new RunArguments(javaArgs, user, allowWeaker, tmp, home);
    }

    RunArguments {
        javaArgs = List.copyOf(javaArgs);
        allowWeaker = Set.copyOf(allowWeaker);
        if (user == null) {
            throw new IllegalArgumentException("no --user value");
        }
        if (tmp == null || home == null) {
            throw new IllegalArgumentException("no temporary directory or home choice");
        }
        if (home.isPresent() && !home.get().isAbsolute()) {
            throw new IllegalArgumentException("--home needs an absolute path: " + home.get());
        }
    }
}
