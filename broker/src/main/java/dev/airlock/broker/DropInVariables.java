package dev.airlock.broker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JVM option variables a drop-in agent's broker gives back to the helper ({@code run
 * --drop-in-env NAME=VALUE}): the drop-in starts the broker's JVM without
 * {@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS} and {@code _JAVA_OPTIONS}, so that it
 * neither loads the agent again nor takes the program's options, and the program's JVM gets
 * them as the user set them (less the drop-in's own agent). Only those three names are accepted:
 * this is no general way to change the helper's environment.
 */
final class DropInVariables {
    /** The names the drop-in moves (its DropInLaunch). */
    static final List<String> NAMES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    private DropInVariables() {}

    /** The variables of {@code entries}, each {@code NAME=VALUE}; a usage error for any other name or a repeated one. */
    static Map<String, String> parse(List<String> entries) throws AirlockException {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? entry : entry.substring(0, eq);
            if (eq < 0 || !NAMES.contains(name)) {
                throw new AirlockException(
                        ExitCodes.USAGE, "--drop-in-env takes NAME=VALUE with NAME one of " + NAMES + ", not " + entry);
            }
            if (variables.put(name, entry.substring(eq + 1)) != null) {
                throw new AirlockException(ExitCodes.USAGE, "--drop-in-env " + name + " given twice");
            }
        }
        return variables;
    }
}
