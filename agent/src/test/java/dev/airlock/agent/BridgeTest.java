package dev.airlock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The bridge as defined inside java.base in real JVMs (JDK 17 and 25). */
class BridgeTest {

    static Stream<String> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void isDefinedByTheBootLoaderInJavaBase(String jdk) {
        assertEquals("OK loader=null module=java.base", RoutedRun.on(jdk).outcome("bridge_loader"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void agreesWithTheRouterOnOperationNumbers(String jdk) {
        // The advice has the bridge's numbers compiled in; the router mirrors them.
        assertEquals("OK FILE_INPUT=" + Router.FILE_INPUT + ",FILE_OUTPUT=" + Router.FILE_OUTPUT
                + ",RANDOM_ACCESS=" + Router.RANDOM_ACCESS + ",NIO_OPEN=" + Router.NIO_OPEN
                + ",NIO_OPENAT=" + Router.NIO_OPENAT + ",NOT_ROUTED=" + Router.NOT_ROUTED,
                RoutedRun.on(jdk).outcome("bridge_operations"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void refusesASecondInstallAndKeepsRouting(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals("THROW java.lang.IllegalStateException: airlock bridge is already installed",
                run.outcome("bridge_set_once"));
        // Still the agent's router after the attempt: the opener saw the request.
        assertEquals("OK fis-content", run.outcome("bridge_after_refusal"));
        assertEquals(List.of("open " + run.path("locked/after.txt") + " flags=0 mode=666 refuseDirectory=true"),
                run.requests("locked/after.txt"));
    }
}
