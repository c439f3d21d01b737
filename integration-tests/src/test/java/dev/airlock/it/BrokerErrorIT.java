package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.agent.AgentMapping;
import dev.airlock.broker.BrokenBroker;
import dev.airlock.helper.BrokerClient;
import dev.airlock.ipc.Message;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.SeqPacketSocket;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker that fails internally is an I/O error for the application, never a denial. The real
 * broker loop and server (failing for real: their grant roots closed under them, see
 * {@link BrokenBroker}), the real client over a real socketpair, and the agent's real mapping to
 * the JDK's exceptions, all in this JVM: what {@code FileInputStream}, {@code Files.newInputStream}
 * and NIO's stat would throw. Before the reply kinds were explicit, this failure (EIO with a
 * reason) reached the application as AccessDeniedException / "denied".
 */
class BrokerErrorIT {
    @TempDir
    Path dir;

    @Test
    void theApplicationSeesAnIoErrorThatIsNotAnAccessDenial() throws Exception {
        Path granted = Files.createDirectory(dir.resolve("granted"));
        Files.writeString(granted.resolve("f.txt"), "content");
        String file = granted.resolve("f.txt").toString();
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket brokerEnd = new SeqPacketSocket(pair[0], Message.MAX_SIZE);
                SeqPacketSocket clientEnd = new SeqPacketSocket(pair[1], Message.MAX_SIZE);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8)) {
            BrokenBroker.serve(brokerEnd, granted, log);
            BrokerClient client = BrokerClient.overSocket(clientEnd);

            Object io = AgentMapping.javaIoOpen(client, file);
            FileNotFoundException notFound = assertInstanceOf(FileNotFoundException.class, io);
            assertEquals(file + " (airlock broker: internal error)", notFound.getMessage());
            assertFalse(notFound.getMessage().contains("denied"), notFound.getMessage());

            Object nio = AgentMapping.nioOpen(client, file);
            FileSystemException failed = assertInstanceOf(FileSystemException.class, nio);
            assertFalse(failed instanceof AccessDeniedException, failed.toString());
            assertEquals(file + ": airlock broker: internal error", failed.getMessage());

            Object stat = AgentMapping.nioStat(client, file);
            FileSystemException statFailed = assertInstanceOf(FileSystemException.class, stat);
            assertFalse(statFailed instanceof AccessDeniedException, statFailed.toString());

            // The broker keeps serving, and a real denial is still a denial.
            Object denied =
                    AgentMapping.nioOpen(client, dir.resolve("elsewhere").toString());
            assertInstanceOf(AccessDeniedException.class, denied);
            assertEquals("denied by airlock policy broken.policy: read", ((AccessDeniedException) denied).getReason());
        }
        String log = logged.toString(StandardCharsets.UTF_8);
        assertEquals(
                3,
                log.lines()
                        .filter(l -> l.startsWith("airlock: internal error serving "))
                        .count(),
                log);
        assertTrue(log.contains("IllegalStateException"), log);
    }
}
