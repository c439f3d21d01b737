package dev.airlock.broker;

import dev.airlock.unix.Fd;
import dev.airlock.unix.Seccomp;
import dev.airlock.unix.SpawnPlan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How every process the broker spawns is confined, the helper and the transform-cache
 * preparation alike, as {@link SandboxPlanner} decided it: in a new session, in
 * {@code namespaces}, with no_new_privs, the Landlock rules it is given (enforced at
 * {@code landlockAbi}; 0: Landlock waived), the seccomp program, and as {@code identity}.
 * {@link #spawn} applies it.
 */
record Confinement(int landlockAbi, Identity identity, Namespaces namespaces, SeccompProgram seccomp) {
    /**
     * Who the confined process runs as: the broker's own uid and gid (a broker that is not root
     * keeps its user), or an account the spawner thread drops to (a broker that is root).
     */
    record Identity(int uid, int gid, Optional<UserAccount> dropTo) {
        static Identity keep(int uid, int gid) {
            return new Identity(uid, gid, Optional.empty());
        }

        static Identity dropTo(UserAccount account) {
            return new Identity(account.uid(), account.gid(), Optional.of(account));
        }
    }

    /** A seccomp program as its (code, jt, jf, k) quadruples, as {@link SeccompFilter#program} assembles it. */
    record SeccompProgram(List<Integer> quadruples) {
        SeccompProgram {
            quadruples = List.copyOf(quadruples);
        }

        static SeccompProgram of(int[] quadruples) {
            List<Integer> values = new ArrayList<>(quadruples.length);
            for (int value : quadruples) {
                values.add(value);
            }
            return new SeccompProgram(values);
        }

        int[] toArray() {
            int[] values = new int[quadruples.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = quadruples.get(i);
            }
            return values;
        }

        int instructions() {
            return quadruples.size() / 4;
        }
    }

    /** Spawns {@code spawn} confined to {@code rules}, from a parked thread named {@code threadName}. */
    Spawner.Spawned spawn(SpawnPlan spawn, LandlockRules rules, String threadName) throws IOException {
        return spawn(spawn, rules, ClassPathView.NONE, threadName);
    }

    /** As {@link #spawn(SpawnPlan, LandlockRules, String)}, the helper shown {@code view} in its mount namespace. */
    Spawner.Spawned spawn(SpawnPlan spawn, LandlockRules rules, ClassPathView view, String threadName)
            throws IOException {
        try (Fd ruleset = landlockAbi > 0 ? rules.create(landlockAbi) : null) {
            Spawner.Plan plan = new Spawner.Plan(
                    spawn, namespaces, view, ruleset, Seccomp.prepare(seccomp.toArray()), identity.dropTo());
            return Spawner.spawn(plan, threadName);
        }
    }
}
