package dev.airlock.broker;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the launcher prepared on disk for a run before planning it: Airlock's own runtime files
 * (agent jar, jffi's stub directory), the transform cache the helper replays (empty: it weaves
 * live), and the policy's read grants on procfs or sysfs that can be the helper's own Landlock
 * rules, as the broker found them when it opened its grant roots ({@link KernelViews#landlockReadRules}).
 */
record PreparedFiles(RuntimeFiles runtime, Optional<Path> transformCache, List<Path> kernelViewReads) {
    PreparedFiles {
        kernelViewReads = List.copyOf(kernelViewReads);
    }
}
