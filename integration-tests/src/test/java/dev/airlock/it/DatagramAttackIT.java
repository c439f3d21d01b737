package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Native code in the helper (JNI, and FFM on JDK 25) turning a UDP socket of the broker's, the
 * one a DatagramChannel holds, to a port the policy does not grant: an addressed sendto, a
 * connect, a sendmsg with a name, sendmmsg, a bind, and a SEND_DATAGRAM forged on the channel.
 * The kernel (seccomp) refuses the calls, the broker the forged request, and nothing reaches the
 * test's recorder (docs/ARCHITECTURE.md, threat model, "send a datagram where the policy does
 * not grant it").
 */
class DatagramAttackIT {

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void anAdoptedUdpSocketReachesNoUngrantedPort(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                WireWitness wire = new WireWitness()) {
            AttackKit.install(s);
            Path policy = s.policy(
                    "udp.policy", "grant {\n  permission java.net.SocketPermission \"localhost:0\", \"listen\";\n};\n");
            int port = wire.udp4();
            List<String> ops = new java.util.ArrayList<>(AttackKit.raw(jdk, "adopted-udp:" + port));
            ops.add("jni.forged-datagram:" + port);
            AttackKit.Session r = AttackKit.start(AttackKit.command(s, jdk, policy, List.of(), ops));
            r.finish();
            for (String backend : AttackKit.backends(jdk)) {
                assertEquals(
                        // write: errno 89, EDESTADDRREQ (the socket has no peer: the connect was refused)
                        "OK sendto=EACCES connect=EACCES write=errno89 sendmsg=EACCES sendmmsg=EACCES bind=EACCES",
                        r.answer(backend + ".adopted-udp:" + port),
                        r.stderr());
            }
            // The policy's closest grant (its localhost:0 listen) may follow the reason in parentheses.
            String forged = r.answer("jni.forged-datagram:" + port);
            String refused =
                    "REFUSED denied errno=13: denied by airlock policy " + policy + ": connect 127.0.0.1:" + port;
            assertTrue(
                    forged.equals(refused) || forged.startsWith(refused + " (closest grant: "),
                    forged + " " + r.stderr());
            assertEquals(List.of(), wire.seen());
        }
    }

    /**
     * The channel's number is no longer what lets a sendmsg through: native code that moves the
     * channel away and puts a UDP socket of the broker's at descriptor 3 is refused its addressed
     * sendmsg there (the helper sends every request with send(2), and seccomp refuses sendmsg
     * whatever the descriptor), a sendmsg on the channel itself too, and nothing reaches the
     * recorder. The channel put back, the program goes on using the broker.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aUdpSocketAtTheChannelsNumberCannotSendmsg(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                WireWitness wire = new WireWitness()) {
            AttackKit.install(s);
            // DIR/*, a grant the kernel cannot carry: the read after the swap is the broker's.
            Path granted = s.file("served/granted.txt", "still served");
            Path policy = s.policy(
                    "swap.policy",
                    "grant {\n  permission java.net.SocketPermission \"localhost:0\", \"listen\";\n"
                            + "  permission java.io.FilePermission \"" + granted.getParent() + "/*\", \"read\";\n};\n");
            int port = wire.udp4();
            List<String> ops = new java.util.ArrayList<>(AttackKit.raw(jdk, "channel-swap:" + port));
            ops.add("java.read:" + granted);
            AttackKit.Session r = AttackKit.start(AttackKit.command(s, jdk, policy, List.of(), ops));
            r.finish();
            for (String backend : AttackKit.backends(jdk)) {
                assertEquals(
                        "OK channel-sendmsg=EACCES dup2=3 sendmsg=EACCES restored=3",
                        r.answer(backend + ".channel-swap:" + port),
                        r.stderr());
            }
            assertEquals("OK still served", r.answer("java.read:" + granted), r.stderr());
            assertEquals(List.of(), wire.seen());
        }
    }
}
