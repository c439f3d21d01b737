package dev.airlock.broker;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the user asked of a confined run, as values: the program's java arguments, the account
 * the helper should run as when the broker is root ({@code --user}), and the sandbox layers it
 * accepts to run without ({@code --allow-weaker}). {@code airlock run}'s command line is parsed
 * into this; so can any other front end (the drop-in agent's option string), since nothing here
 * knows how the values were spelled.
 */
record RunArguments(List<String> javaArgs, String user, Set<WeakerLayer> allowWeaker) {
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

    RunArguments {
        javaArgs = List.copyOf(javaArgs);
        allowWeaker = Set.copyOf(allowWeaker);
        if (user == null) {
            throw new IllegalArgumentException("no --user value");
        }
    }
}
