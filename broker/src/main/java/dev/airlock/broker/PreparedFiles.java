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
 * the policy's grants the kernel carries exactly, as found on disk ({@link NativeGrants#rules}),
 * and the helper's temporary directory: the private one made for this run ({@link PrivateTmp}) or
 * the checked real path of {@code --tmp} ({@link GivenDirectory}); empty with {@code --no-tmp}.
 */
record PreparedFiles(
        RuntimeFiles runtime,
        Optional<Path> transformCache,
        List<Path> kernelViewReads,
        List<Rule> nativeGrants,
        Optional<Path> tmp) {
    PreparedFiles {
        kernelViewReads = List.copyOf(kernelViewReads);
        nativeGrants = List.copyOf(nativeGrants);
        if (tmp.isPresent() && !tmp.get().isAbsolute()) {
            throw new IllegalArgumentException("the helper's temporary directory is not absolute: " + tmp.get());
        }
    }
}
