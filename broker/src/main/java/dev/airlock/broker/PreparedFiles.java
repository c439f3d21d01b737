package dev.airlock.broker;

import dev.airlock.broker.LandlockRules.Rule;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the launcher prepared on disk for a run before planning it: Airlock's own runtime files
 * (agent jar, jffi's stub directory), the transform cache the helper replays (empty: it weaves
 * live), the policy's read grants on procfs or sysfs that can be the helper's own Landlock
 * rules, as the broker found them when it opened its grant roots ({@link KernelViews#landlockReadRules}),
 * and the policy's grants the kernel carries exactly, as found on disk ({@link NativeGrants#rules}).
 */
record PreparedFiles(
        RuntimeFiles runtime, Optional<Path> transformCache, List<Path> kernelViewReads, List<Rule> nativeGrants) {
    PreparedFiles {
        kernelViewReads = List.copyOf(kernelViewReads);
        nativeGrants = List.copyOf(nativeGrants);
    }

    /** Without kernel grants: every policy grant is the broker's. */
    PreparedFiles(RuntimeFiles runtime, Optional<Path> transformCache, List<Path> kernelViewReads) {
        this(runtime, transformCache, kernelViewReads, List.of());
    }
}
