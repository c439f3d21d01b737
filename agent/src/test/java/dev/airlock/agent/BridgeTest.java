package dev.airlock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * The advice has the bridge's numbers compiled in; the agent's {@link Bridge} holds the same.
     * Every static final int of the bridge as defined in java.base (read by reflection in the
     * child JVM), name and value, must be one of Bridge's, and Bridge must have no other.
     */
    @ParameterizedTest
    @MethodSource("jdks")
    void agreesWithTheAgentOnEveryOperationNumber(String jdk) throws Exception {
        String bridge = RoutedRun.on(jdk).outcome("bridge_operations");
        assertEquals("OK " + Scenarios.intConstants(Bridge.class, false), bridge);
        assertTrue(
                bridge.contains("WATCH=13") && bridge.contains("IO_CANONICAL=29") && bridge.contains("NIO_OPENAT=5"),
                bridge);
        // The router's open numbers are Bridge's.
        assertEquals(Bridge.FILE_INPUT, Router.FILE_INPUT);
        assertEquals(Bridge.NOT_ROUTED, Router.NOT_ROUTED);
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void refusesASecondInstallAndKeepsRouting(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals(
                "THROW java.lang.IllegalStateException: airlock bridge is already installed",
                run.outcome("bridge_set_once"));
        // Still the agent's router after the attempt: the opener saw the request.
        assertEquals("OK fis-content", run.outcome("bridge_after_refusal"));
        assertEquals(
                List.of("open " + run.path("locked/after.txt") + " flags=0 mode=666 refuseDirectory=true"),
                run.requests("locked/after.txt"));
    }
}
