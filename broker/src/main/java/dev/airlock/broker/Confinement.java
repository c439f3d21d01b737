package dev.airlock.broker;

import dev.airlock.ipc.Fd;
import dev.airlock.ipc.Linux;
import java.io.IOException;

/**
 * How every process the broker spawns is confined, the helper and the transform-cache
 * preparation alike: in a new session, in {@code namespaces}, with no_new_privs, the Landlock
 * rules it is given (enforced at {@code landlockAbi}; 0: Landlock waived), Airlock's seccomp
 * filter, and as {@code dropTo} (null: the broker's own user, when the broker is not root).
 */
record Confinement(int landlockAbi, UserAccount dropTo, Namespaces namespaces) {
    /** Spawns {@code spawn} confined to {@code rules}, from a parked thread named {@code threadName}. */
    Spawner.Spawned spawn(Linux.SpawnPlan spawn, LandlockRules rules, String threadName) throws IOException {
        try (Fd ruleset = landlockAbi > 0 ? rules.create(landlockAbi) : null) {
            Spawner.Plan plan = new Spawner.Plan(spawn, namespaces.flags(), ruleset,
                    Linux.seccompProgram(SeccompFilter.program()), dropTo);
            return Spawner.spawn(plan, threadName);
        }
    }
}
