package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What of the program's JVM options the confined cache preparation gets: only -Xshare:, which names no file. */
class TransformCacheTest {
    @Test
    void onlyShareModesReachThePreparation() {
        assertEquals(
                List.of("-Xshare:off"),
                TransformCache.classDataSharingOptions(List.of(
                        "-Xshare:off",
                        "-XX:SharedArchiveFile=/grant/app.jsa",
                        "-XX:AOTCache=/grant/app.aot",
                        "-cp",
                        "app",
                        "Main",
                        "-Xshare:on")));
        assertEquals(
                List.of(),
                TransformCache.classDataSharingOptions(List.of("-XX:SharedArchiveFile=/grant/app.jsa", "Main")));
        assertEquals(
                List.of(),
                TransformCache.classDataSharingOptions(List.of("Main", "-Xshare:off")),
                "the program's own arguments");
    }
}
