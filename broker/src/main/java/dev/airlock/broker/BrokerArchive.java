package dev.airlock.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The broker's part in {@code bin/airlock}'s class data sharing archive: a broker that dumps one
 * at exit ({@code -XX:ArchiveClassesAtExit}, named to it as {@value #PROPERTY}) says, once it has
 * spawned the helper, that it loaded what a whole run loads, by leaving {@code NAME.done} beside
 * the dump. The script puts only such a dump in place: one of a run that ended early (a usage
 * error, a policy that does not parse) would hold a fraction of the classes, and be kept for good.
 */
final class BrokerArchive {
    /** The system property {@code bin/airlock} names the dump by. */
    static final String PROPERTY = "airlock.archive.dump";

    private BrokerArchive() {}

    /**
     * Marks this run's dump, if it makes one, as a whole run's. Only a dump in Airlock's
     * {@code cache} directory is marked; a marker that cannot be written only means the dump is
     * not kept, so nothing is reported.
     */
    static void spawned(Path cache) {
        String dump = System.getProperty(PROPERTY);
        if (dump == null) {
            return;
        }
        Path path = Path.of(dump);
        if (!path.isAbsolute() || !cache.equals(path.getParent())) {
            return;
        }
        try {
            Files.createFile(cache.resolve(path.getFileName() + ".done"));
        } catch (IOException e) {
            // The script then discards the dump, and the next run makes another.
        }
    }
}
