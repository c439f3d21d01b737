package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The operator's terminal (docs/ARCHITECTURE.md, "Threat model": the terminal row, and the terminal
 * class of the allow-list): Airlock runs on a real pseudo-terminal that is its controlling
 * terminal, as in an operator's shell, and the helper tries to type into it (TIOCSTI, also with the
 * request's upper 32 bits set, and TIOCLINUX) and to take it over (line discipline, console,
 * controlling terminal, foreground group, hang-up, locked settings, exclusive mode). The witness is
 * the terminal itself, examined from outside after Airlock exits: its input queue must be empty and
 * its state unchanged, so a shell reading it next would run nothing the program typed.
 */
class TerminalAttackIT {
    /**
     * Runs argv[2:] with a new pty as its controlling terminal and stdio (stdin from /dev/null when
     * argv[1] is "null"), relays what it prints, then reports the pty's input queue and state.
     */
    private static final String PTY_RUNNER = """
            import os, sys, select, termios, fcntl, struct, time
            master, slave = os.openpty()
            pid = os.fork()
            if pid == 0:
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                os.dup2(os.open('/dev/null', os.O_RDONLY) if sys.argv[1] == 'null' else slave, 0)
                os.dup2(slave, 1)
                os.dup2(slave, 2)
                os.closerange(3, 1024)
                os.execvp(sys.argv[2], sys.argv[2:])
            out = b''
            status = None
            deadline = time.time() + 150
            while time.time() < deadline:
                ready, _, _ = select.select([master], [], [], 0.2)
                if ready:
                    try:
                        out += os.read(master, 65536)
                    except OSError:
                        pass
                done, st = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = os.waitstatus_to_exitcode(st)
                    break
            for _ in range(10):
                ready, _, _ = select.select([master], [], [], 0.2)
                if not ready:
                    break
                try:
                    out += os.read(master, 65536)
                except OSError:
                    break
            pending = struct.unpack('i', fcntl.ioctl(slave, termios.FIONREAD, b'\\0' * 4))[0]
            excl = struct.unpack('i', fcntl.ioctl(slave, 0x80045440, b'\\0' * 4))[0]
            ldisc = struct.unpack('i', fcntl.ioctl(slave, termios.TIOCGETD, b'\\0' * 4))[0]
            attrs = termios.tcgetattr(slave)
            attrs[3] &= ~termios.ICANON
            attrs[6][termios.VMIN] = 0
            attrs[6][termios.VTIME] = 0
            termios.tcsetattr(slave, termios.TCSANOW, attrs)
            queued = b''
            for _ in range(100):
                chunk = os.read(slave, 4096)
                if not chunk:
                    break
                queued += chunk
            for line in out.decode('utf-8', 'replace').splitlines():
                print('OUT ' + line.rstrip('\\r'))
            print('WITNESS exit=%s pending=%d queued=%s excl=%d ldisc=%d' % (status, pending, queued.hex(), excl, ldisc))
            """;

    /** The pty's state after the run, as the test saw it from outside. */
    private record Witness(List<String> output, Map<String, String> state) {
        String answer(String op) {
            for (String line : output) {
                // Echoed injected input may precede the answer on its line.
                int at = line.indexOf(op + " ");
                if (at >= 0) {
                    return line.substring(at + op.length() + 1);
                }
            }
            throw new AssertionError("no answer for " + op + " on the terminal: " + output);
        }

        String queued() {
            return new String(HexFormat.of().parseHex(state.get("queued")), StandardCharsets.UTF_8);
        }
    }

    private static Witness onTerminal(Sandbox s, Jdk jdk, boolean stdinNull, List<String> ops) throws Exception {
        Path runner = s.root.resolve("pty-runner.py");
        Files.writeString(runner, PTY_RUNNER);
        List<String> command =
                new ArrayList<>(List.of("/usr/bin/python3", runner.toString(), stdinNull ? "null" : "tty"));
        command.addAll(AttackKit.command(s, jdk, null, List.of(), ops));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("AIRLOCK_JAVA", Jdk.JDK17.java().toString());
        Process p = builder.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the pty runner did not end: " + out);
        List<String> lines = new ArrayList<>();
        Map<String, String> state = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            if (line.startsWith("OUT ")) {
                lines.add(line.substring(4));
            } else if (line.startsWith("WITNESS ")) {
                for (String kv : line.substring(8).split(" ", -1)) {
                    state.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
            }
        }
        assertEquals("0", state.get("exit"), "airlock on the terminal exits 0: " + out);
        return new Witness(lines, state);
    }

    private static void assertNothingTyped(Witness w, String how) {
        assertEquals(
                "",
                w.queued(),
                how + ": the operator's terminal holds input the confined program typed (hole 1), which the shell "
                        + "would run next as the operator; attacks: " + w.output());
        assertEquals(
                "0",
                w.state().get("pending"),
                how + ": bytes pending in the terminal's input queue; attacks: " + w.output());
        assertTrue(
                w.output().stream().noneMatch(l -> l.contains(dev.airlock.it.app.Attack.INJECTED.strip())),
                how + ": the terminal echoed injected input: " + w.output());
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void nothingIsTypedIntoTheOperatorsTerminal(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            List<String> ops = new ArrayList<>(AttackKit.raw(
                    jdk, "tiocsti:0", "tiocsti:1", "tiocsti:2", "tiocsti:0:high", "tiocsti:1:high", "tioclinux:0"));
            ops.add("java.ctty");
            Witness w = onTerminal(s, jdk, false, ops);
            assertNothingTyped(w, "stdin, stdout and stderr on the terminal");
            for (String op : ops.subList(0, ops.size() - 1)) {
                if (op.contains("tiocsti")) {
                    assertTrue(w.answer(op).startsWith("REFUSED"), op + " must be refused: " + w.answer(op));
                } else {
                    assertTrue(
                            !w.answer(op).matches(".*=\\d+.*"),
                            op + ": a TIOCLINUX subcode was accepted: " + w.answer(op));
                }
            }
            assertTrue(
                    w.answer("java.ctty").endsWith("tty_nr=0"),
                    "the helper must have no controlling terminal (a session of its own): " + w.answer("java.ctty"));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void nothingIsTypedIntoTheTerminalWithStdinRedirected(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            List<String> ops = AttackKit.raw(jdk, "tiocsti:1", "tiocsti:2:high");
            Witness w = onTerminal(s, jdk, true, ops);
            assertNothingTyped(w, "stdin from /dev/null, stdout and stderr on the terminal");
            for (String op : ops) {
                assertTrue(w.answer(op).startsWith("REFUSED"), op + " must be refused: " + w.answer(op));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void theTerminalCannotBeTakenOverButStaysUsable(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            List<String> ops = AttackKit.raw(jdk, "ttyioctl:1");
            Witness w = onTerminal(s, jdk, false, ops);
            assertNothingTyped(w, "terminal requests");
            assertEquals(
                    "0",
                    w.state().get("excl"),
                    "the helper made the operator's terminal exclusive (TIOCEXCL): " + w.output());
            assertEquals("0", w.state().get("ldisc"), "the terminal's line discipline changed: " + w.output());
            for (String op : ops) {
                String answer = w.answer(op);
                List<String> accepted = new ArrayList<>();
                for (String kv : answer.substring(3).split(" ", -1)) {
                    String[] r = kv.split("=", -1);
                    boolean read = r[0].startsWith("read:");
                    if (read) {
                        assertEquals(
                                "0",
                                r[1],
                                op + ": interactive programs need " + r[0].substring(5) + " on their terminal: "
                                        + answer);
                    } else if (r[1].matches("\\d+")) {
                        accepted.add(r[0]);
                    }
                }
                assertEquals(
                        List.of(),
                        accepted,
                        op + ": terminal requests that take over the operator's terminal were accepted: " + answer);
            }
        }
    }
}
