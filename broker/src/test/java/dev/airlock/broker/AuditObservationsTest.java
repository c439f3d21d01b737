package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.airlock.policy.FileActions;
import dev.airlock.policy.PolicyLearner.Kind;
import dev.airlock.policy.PolicyLearner.Observation;
import dev.airlock.policy.SocketActions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditObservationsTest {

    private static final String RUN =
            "{\"seq\":0,\"type\":\"run\",\"time\":\"2026-12-02T21:00:00Z\",\"version\":\"airlock 0.1.0\",\"prev\":null}";
    private static final String OPEN =
            "{\"seq\":1,\"type\":\"request\",\"time\":\"2026-12-02T21:00:00.1Z\",\"pid\":123,"
                    + "\"op\":\"OPEN\",\"flags\":\"O_RDWR|O_CREAT\",\"checks\":[{\"target\":\"/tmp/a \\\"q\\\" \\u00e9\","
                    + "\"kind\":\"file\",\"actions\":\"read,write\",\"names\":[],\"allowed\":true,\"rule\":\"learn.policy:3\"}],"
                    + "\"decision\":\"allow\",\"errno\":null,\"prev\":\"ab01\"}";
    private static final String RENAME = "{\"seq\":2,\"type\":\"request\",\"time\":\"t\",\"pid\":123,\"op\":\"RENAME\","
            + "\"flags\":null,\"checks\":[{\"target\":\"/w/x\",\"kind\":\"file\",\"actions\":\"read,delete\","
            + "\"names\":[],\"allowed\":true,\"rule\":\"r\"},{\"target\":\"/w/y\",\"kind\":\"file\",\"actions\":\"write\","
            + "\"names\":[],\"allowed\":false,\"rule\":\"no grant\"}],\"decision\":\"deny\",\"errno\":\"EACCES\","
            + "\"prev\":\"cd\"}";
    private static final String CONNECT =
            "{\"seq\":3,\"type\":\"request\",\"time\":\"t\",\"pid\":123,\"op\":\"CONNECT\","
                    + "\"flags\":null,\"checks\":[{\"target\":\"93.184.216.34:443\",\"kind\":\"socket\",\"actions\":\"connect\","
                    + "\"names\":[\"api.example.com\"],\"allowed\":true,\"rule\":\"r\"}],\"decision\":\"allow\",\"errno\":null,"
                    + "\"prev\":\"ef\"}";
    private static final String SUPPRESSED = "{\"seq\":4,\"type\":\"suppressed\",\"count\":17,\"prev\":\"01\"}";
    private static final String SEAL = "{\"seq\":5,\"type\":\"seal\",\"signature\":\"00\",\"prev\":\"02\"}";

    @Test
    void everyAllowedCheckOfARequestIsAnObservation() throws Exception {
        assertEquals(
                List.of(
                        new Observation(
                                Kind.FILE,
                                "/tmp/a \"q\" \u00e9",
                                FileActions.READ | FileActions.WRITE,
                                "OPEN",
                                Set.of()),
                        new Observation(Kind.FILE, "/w/x", FileActions.READ | FileActions.DELETE, "RENAME", Set.of()),
                        new Observation(
                                Kind.SOCKET,
                                "93.184.216.34:443",
                                SocketActions.CONNECT,
                                "CONNECT",
                                Set.of("api.example.com"))),
                AuditObservations.read("audit.jsonl", List.of(RUN, OPEN, RENAME, "", CONNECT, SUPPRESSED, SEAL)));
    }

    @Test
    void aLineOutsideTheFormatIsRefusedWithItsLine() {
        assertEquals(
                "audit.jsonl:2: not the audit format: text after the JSON value at column 3",
                assertThrows(AirlockException.class, () -> AuditObservations.read("audit.jsonl", List.of(RUN, "{}}")))
                        .getMessage());
        assertEquals(
                "audit.jsonl:1: type is missing or null",
                assertThrows(AirlockException.class, () -> AuditObservations.read("audit.jsonl", List.of("{}")))
                        .getMessage());
        assertEquals(
                "audit.jsonl:1: allowed is not a boolean",
                assertThrows(
                                AirlockException.class,
                                () -> AuditObservations.read(
                                        "audit.jsonl", List.of(OPEN.replace("\"allowed\":true", "\"allowed\":1"))))
                        .getMessage());
        assertEquals(
                "audit.jsonl:1: not the audit format: unterminated string at column " + (OPEN.length() - 5),
                assertThrows(
                                AirlockException.class,
                                () -> AuditObservations.read(
                                        "audit.jsonl", List.of(OPEN.substring(0, OPEN.length() - 6))))
                        .getMessage());
        assertThrows(
                AirlockException.class,
                () -> AuditObservations.read("a", List.of(OPEN.replace("\"kind\":\"file\"", "\"kind\":\"pipe\""))));
        assertThrows(
                AirlockException.class, () -> AuditObservations.read("a", List.of(OPEN.replace("read,write", "raed"))));
    }
}
