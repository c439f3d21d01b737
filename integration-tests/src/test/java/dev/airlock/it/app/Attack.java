package dev.airlock.it.app;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hostile program the attack tests run inside the sandbox: each argument is one attack
 * {@code BACKEND.NAME:ARG}, where BACKEND is {@code jni} (raw system calls through our JNI library),
 * {@code ffm} (the same calls through the FFM API, JDK 25) or {@code java} (plain JDK APIs). For each
 * it prints one line, the argument followed by the outcome: {@code OK <what got through>},
 * {@code REFUSED <call> <errno>} (the kernel said no), or {@code EX <exception>: <message>}.
 *
 * <p>This program's own report is never the proof: every test checks an outside witness (a
 * listener, a victim process, a file's metadata, a terminal's input queue). The report says which
 * call got through, for the failure message.
 */
public final class Attack {
    /** What an injected keystroke line would run in the operator's shell: harmless, and recognisable. */
    public static final String INJECTED = "true AIRLOCK-INJECTED\n";

    private static final BufferedReader STDIN =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    private static Raw jni;
    private static Raw ffm;

    private final Raw raw;
    private final List<Long> allocations = new ArrayList<>();

    private Attack(Raw raw) {
        this.raw = raw;
    }

    public static void main(String[] args) {
        for (String arg : args) {
            int dot = arg.indexOf('.');
            int colon = arg.indexOf(':');
            String backend = arg.substring(0, dot);
            String op = colon < 0 ? arg.substring(dot + 1) : arg.substring(dot + 1, colon);
            String operand = colon < 0 ? "" : arg.substring(colon + 1);
            String result;
            Attack attack = null;
            try {
                attack = new Attack(backend(backend));
                result = attack.run(op, operand);
            } catch (Throwable e) {
                result = "EX " + e.getClass().getName() + ": " + e.getMessage();
            } finally {
                if (attack != null) {
                    attack.freeAll();
                }
            }
            System.out.println(arg + " " + result.replace('\n', ' '));
            System.out.flush();
        }
    }

    private static Raw backend(String name) throws ReflectiveOperationException {
        switch (name) {
            case "java":
                return null;
            case "jni":
                if (jni == null) {
                    jni = Raw.jni(System.getProperty("attack.lib"));
                }
                return jni;
            case "ffm":
                if (ffm == null) {
                    ffm = Class.forName("dev.airlock.it.app.Ffm")
                            .asSubclass(Raw.class)
                            .getConstructor()
                            .newInstance();
                }
                return ffm;
            default:
                throw new IllegalArgumentException("unknown backend " + name);
        }
    }

    private String run(String op, String arg) throws Exception {
        String[] a = arg.split(":", -1);
        switch (op) {
            // ---- plain Java, and the test's handshakes
            case "wait":
                System.out.println("waiting");
                System.out.flush();
                return "OK resumed " + STDIN.readLine();
            case "sleep":
                Thread.sleep(Long.parseLong(arg));
                return "OK slept";
            case "status":
                return "OK " + status();
            case "read":
                return "OK " + Files.readString(Path.of(arg)).strip();
            case "fis":
                try (FileInputStream in = new FileInputStream(arg)) {
                    return "OK " + new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                }
            case "write":
                Files.writeString(Path.of(a[0]), a[1]);
                return "OK wrote";
            case "list":
                try (var s = Files.list(Path.of(arg))) {
                    return "OK "
                            + s.map(p -> p.getFileName().toString()).sorted().toList();
                }
            case "exists":
                return "OK " + Files.exists(Path.of(arg)) + " " + Files.exists(Path.of(arg), LinkOption.NOFOLLOW_LINKS);
            case "delete":
                Files.delete(Path.of(arg));
                return "OK deleted";
            case "move":
                Files.move(Path.of(a[0]), Path.of(a[1]));
                return "OK moved";
            case "symlink":
                Files.createSymbolicLink(Path.of(a[0]), Path.of(a[1]));
                return "OK linked";
            case "readlink":
                return "OK " + Files.readSymbolicLink(Path.of(arg));
            case "chmod":
                Files.setPosixFilePermissions(
                        Path.of(arg), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
                return "OK chmod";
            case "chgrp": {
                var view =
                        Files.getFileAttributeView(Path.of(a[0]), java.nio.file.attribute.PosixFileAttributeView.class);
                view.setGroup(Path.of(a[0])
                        .getFileSystem()
                        .getUserPrincipalLookupService()
                        .lookupPrincipalByGroupName(a[1]));
                return "OK chgrp";
            }
            case "mtime":
                Files.setLastModifiedTime(
                        Path.of(arg), java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
                return "OK mtime";
            case "xattr": {
                var view = Files.getFileAttributeView(
                        Path.of(arg), java.nio.file.attribute.UserDefinedFileAttributeView.class);
                view.write("pwned", ByteBuffer.wrap("yes".getBytes(StandardCharsets.US_ASCII)));
                view.delete("keep");
                return "OK xattr";
            }
            case "ctty":
                return "OK " + controllingTerminal();
            case "pid":
                return "OK pid=" + ProcessHandle.current().pid() + " ppid="
                        + ProcessHandle.current()
                                .parent()
                                .map(ProcessHandle::pid)
                                .orElse(-1L);
            case "child":
                return javaChild(Long.parseLong(arg));
            case "watch":
                return javaWatch(Path.of(arg));
            case "lstat-fds":
                return lstatThenDescriptors(Path.of(arg));
            // ---- raw system calls (jni or ffm)
            case "tiocsti":
                return tiocsti(Integer.parseInt(a[0]), a.length > 1 && a[1].equals("high"));
            case "tioclinux":
                return tioclinux(Integer.parseInt(arg));
            case "ttyioctl":
                return terminalIoctls(Integer.parseInt(arg));
            case "ipconnect":
                return ipConnect(Integer.parseInt(a[0]), Integer.parseInt(a[1]), Integer.parseInt(a[2]));
            case "fastopen":
                return fastOpen(Integer.parseInt(a[0]), Integer.parseInt(a[1]), a.length > 2 && a[2].equals("msg"));
            case "listen":
                return listenUnbound(Integer.parseInt(arg));
            case "adopted-udp":
                return adoptedUdp(Integer.parseInt(arg));
            case "channel-swap":
                return channelSwap(Integer.parseInt(arg));
            case "forged-datagram":
                return RawChannel.forgedDatagram(Integer.parseInt(arg));
            case "udp":
                return udp(Integer.parseInt(a[0]), Integer.parseInt(a[1]));
            case "families":
                return families();
            case "rawsockets":
                return rawSockets();
            case "dns":
                return dnsQuery(Integer.parseInt(a[0]), a[1].equals("tcp"), Integer.parseInt(a[2]), a[3]);
            case "forged": {
                // NAME:ADDRESS:PORT, the address possibly IPv6 (colons of its own)
                String address = arg.substring(arg.indexOf(':') + 1, arg.lastIndexOf(':'));
                return forgedAddress(a[0], address, Integer.parseInt(a[a.length - 1]));
            }
            case "resolve":
                return resolve(arg);
            case "brokerconnect": {
                // ADDRESS:PORT, the address possibly IPv6
                return RawChannel.forgedConnect(
                        arg.substring(0, arg.lastIndexOf(':')), Integer.parseInt(a[a.length - 1]));
            }
            case "jconnect":
                return javaConnect(arg.substring(0, arg.lastIndexOf(':')), Integer.parseInt(a[a.length - 1]));
            case "sockdiag":
                return sockDiag(arg);
            case "vsock":
                return vsock();
            case "unix-dgram":
                return unixDatagram(a[0].equals("abstract"), a[1], a.length > 2 ? a[2] : "");
            case "unix-connect":
                return unixConnect(Integer.parseInt(a[0]), a[1]);
            case "shm":
                return sharedMemory(a[0], Long.parseLong(a[1]));
            case "msg":
                return messageQueue(a[0], Long.parseLong(a[1]));
            case "sem":
                return semaphore(a[0], Long.parseLong(a[1]));
            case "sched":
                return scheduling(a[0], pid(a[1]));
            case "clone-thread":
                return cloneThread();
            case "sleeper":
                return sleeper(Integer.parseInt(a[0]), a.length > 1 && a[1].equals("detach"));
            case "meta-path":
                return metadataByPath(a[0], Integer.parseInt(a[1]));
            case "meta-fd":
                return metadataByDescriptor(Integer.parseInt(a[0]), Integer.parseInt(a[1]));
            case "mount-tmpfs": {
                long r = call(Nr.MOUNT, cString("tmpfs"), cString(arg), cString("tmpfs"), 0, 0);
                return r < 0 ? refused("mount", r) : "OK mounted a tmpfs on " + arg;
            }
            case "meta-opath":
                return metadataByOpath(a[0], Integer.parseInt(a[1]));
            case "stat-link":
                return brokerStatLink(arg);
            case "inotify":
                return inotify(arg);
            case "victim":
                return victim(Long.parseLong(arg));
            case "readinput":
                return readInput();
            case "nread":
                return nativeRead(arg);
            case "nwrite":
                return nativeWrite(a[0], a[1]);
            case "load":
                // The dynamic loader opens and maps the library itself: native code, whatever the agent does.
                System.load(arg);
                return "OK loaded";
            default:
                throw new IllegalArgumentException("unknown attack " + op);
        }
    }

    // ------------------------------------------------------------------ system call numbers (x86_64)

    /** x86_64 system call numbers, from the kernel's syscall_64.tbl. */
    static final class Nr {
        static final int READ = 0;
        static final int CLONE = 56;
        static final int WRITE = 1;
        static final int CLOSE = 3;
        static final int IOCTL = 16;
        static final int SHMGET = 29;
        static final int SHMAT = 30;
        static final int SHMCTL = 31;
        static final int SOCKET = 41;
        static final int CONNECT = 42;
        static final int ACCEPT4 = 288;
        static final int SENDTO = 44;
        static final int RECVFROM = 45;
        static final int SENDMSG = 46;
        static final int BIND = 49;
        static final int SENDMMSG = 307;
        static final int DUP = 32;
        static final int DUP2 = 33;
        static final int LISTEN = 50;
        static final int GETSOCKNAME = 51;
        static final int SOCKETPAIR = 53;
        static final int SEMGET = 64;
        static final int SEMCTL = 66;
        static final int SHMDT = 67;
        static final int MSGGET = 68;
        static final int MSGSND = 69;
        static final int MSGRCV = 70;
        static final int MSGCTL = 71;
        static final int CHMOD = 90;
        static final int FCHMOD = 91;
        static final int CHOWN = 92;
        static final int FCHOWN = 93;
        static final int LCHOWN = 94;
        static final int GETPPID = 110;
        static final int UTIME = 132;
        static final int SETPRIORITY = 141;
        static final int SCHED_SETSCHEDULER = 144;
        static final int SETXATTR = 188;
        static final int LSETXATTR = 189;
        static final int FSETXATTR = 190;
        static final int REMOVEXATTR = 197;
        static final int LREMOVEXATTR = 198;
        static final int FREMOVEXATTR = 199;
        static final int SCHED_SETAFFINITY = 203;
        static final int UTIMES = 235;
        static final int IOPRIO_SET = 251;
        static final int INOTIFY_ADD_WATCH = 254;
        static final int OPENAT = 257;
        static final int MOUNT = 165;
        static final int FCHOWNAT = 260;
        static final int FUTIMESAT = 261;
        static final int READLINKAT = 267;
        static final int FCHMODAT = 268;
        static final int UTIMENSAT = 280;
        static final int INOTIFY_INIT1 = 294;
        static final int PRLIMIT64 = 302;
        static final int FCHMODAT2 = 452;
        static final int SETXATTRAT = 463;
        static final int REMOVEXATTRAT = 466;

        private Nr() {}
    }

    private static final long AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_TRUNC = 01000;
    private static final int O_PATH = 010000000;
    private static final int O_CLOEXEC = 02000000;
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int AF_NETLINK = 16;
    private static final int AF_VSOCK = 40;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_RAW = 3;
    private static final int AF_PACKET = 17;
    private static final int SOCK_NONBLOCK = 04000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_FASTOPEN = 0x20000000;
    private static final int IPC_NOWAIT = 04000;

    // ------------------------------------------------------------------ helpers

    private long call(long nr, long... args) {
        if (raw == null) {
            throw new IllegalStateException("this attack needs a native backend (jni or ffm)");
        }
        return raw.syscall(nr, args);
    }

    private long memory(byte[] content) {
        long address = raw.malloc(Math.max(content.length, 1));
        allocations.add(address);
        raw.put(address, content);
        return address;
    }

    private long memory(int size) {
        return memory(new byte[size]);
    }

    private long cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return memory(java.util.Arrays.copyOf(b, b.length + 1));
    }

    private void freeAll() {
        for (long address : allocations) {
            raw.free(address);
        }
        allocations.clear();
    }

    /** openat(O_RDONLY) and read(2) of {@code path}, as a native library reads its files: what it read. */
    private String nativeRead(String path) {
        long fd = call(Nr.OPENAT, AT_FDCWD, cString(path), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            return refused("open", fd);
        }
        try {
            long buffer = memory(4096);
            long n = call(Nr.READ, fd, buffer, 4096);
            if (n < 0) {
                return refused("read", n);
            }
            return "OK " + new String(raw.get(buffer, (int) n), StandardCharsets.UTF_8).strip();
        } finally {
            close(fd);
        }
    }

    /** openat(O_WRONLY | O_CREAT | O_TRUNC) and write(2) of {@code text} to {@code path}, natively. */
    private String nativeWrite(String path, String text) {
        long fd = call(Nr.OPENAT, AT_FDCWD, cString(path), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            return refused("open", fd);
        }
        try {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            long n = call(Nr.WRITE, fd, memory(bytes), bytes.length);
            return n < 0 ? refused("write", n) : "OK wrote " + n;
        } finally {
            close(fd);
        }
    }

    private void close(long fd) {
        if (fd >= 0) {
            call(Nr.CLOSE, fd);
        }
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The whole of a buffer that {@link #le} allocated: its backing array starts at offset 0. */
    @SuppressWarnings("ByteBufferBackingArray") // only ever given buffers from le(), never a slice or a view
    private static byte[] bytes(ByteBuffer b) {
        return b.array();
    }

    /**
     * A UDP socket of the broker's, as a DatagramChannel holds it in the helper, turned from native
     * code to {@code port} on the loopback, which the policy does not grant: sendto with an
     * address, connect then write, sendmsg with a name, sendmmsg, and bind to it. Each outcome.
     */
    private String adoptedUdp(int port) throws Exception {
        // The channel is open (its socket the broker's) while native code works on its descriptor.
        try (java.nio.channels.DatagramChannel channel = java.nio.channels.DatagramChannel.open()) {
            long fd = RawChannel.udpDescriptor();
            assert channel.isOpen();
            byte[] address = sockaddrIn(port);
            byte[] data = "ADOPTED".getBytes(StandardCharsets.US_ASCII);
            List<String> r = new ArrayList<>();
            r.add("sendto="
                    + outcome(call(Nr.SENDTO, fd, memory(data), data.length, 0, memory(address), address.length)));
            r.add("connect=" + outcome(call(Nr.CONNECT, fd, memory(address), address.length)));
            r.add("write=" + outcome(call(Nr.WRITE, fd, memory(data), data.length)));
            byte[] header = messageHeader(memory(address), address.length, data);
            r.add("sendmsg=" + outcome(call(Nr.SENDMSG, fd, memory(header), 0)));
            byte[] vector = bytes(le(64).put(header).putInt(0).putInt(0));
            r.add("sendmmsg=" + outcome(call(Nr.SENDMMSG, fd, memory(vector), 1, 0)));
            r.add("bind=" + outcome(call(Nr.BIND, fd, memory(address), address.length)));
            return "OK " + String.join(" ", r);
        }
    }

    /**
     * A {@code struct msghdr} (x86_64, 56 bytes) of one I/O vector over {@code data}, addressed to
     * the {@code nameLength} bytes at {@code name} (0 and 0: no address), without control data.
     */
    private byte[] messageHeader(long name, int nameLength, byte[] data) {
        return messageHeader(name, nameLength, data, null);
    }

    /** {@link #messageHeader(long, int, byte[])} with {@code control} as its control data (null: none). */
    private byte[] messageHeader(long name, int nameLength, byte[] data, byte[] control) {
        long iov = memory(le(16).putLong(memory(data)).putLong(data.length).array());
        ByteBuffer header =
                le(56).putLong(name).putInt(nameLength).putInt(0).putLong(iov).putLong(1);
        if (control != null) {
            header.putLong(memory(control)).putLong(control.length).putInt(0);
        }
        return bytes(header);
    }

    /**
     * The way around a sendmsg rule that named the channel's number: native code moves the channel
     * off descriptor 3 (dup), puts a UDP socket of the broker's at 3 (dup2) and sendmsg's a
     * datagram with an address there, to {@code port} on the loopback. First a sendmsg on the
     * channel itself, as the helper's client once sent its requests. Each outcome; the channel is
     * put back at 3 afterwards, so the agent keeps its broker.
     */
    private String channelSwap(int port) throws Exception {
        try (java.nio.channels.DatagramChannel channel = java.nio.channels.DatagramChannel.open()) {
            long udp = RawChannel.udpDescriptor();
            assert channel.isOpen();
            byte[] address = sockaddrIn(port);
            byte[] data = "SWAPPED".getBytes(StandardCharsets.US_ASCII);
            long named = memory(messageHeader(memory(address), address.length, data));
            List<String> r = new ArrayList<>();
            r.add("channel-sendmsg=" + outcome(call(Nr.SENDMSG, 3, memory(messageHeader(0, 0, data)), 0)));
            long saved = call(Nr.DUP, 3);
            if (saved < 0) {
                return "EX dup(3): " + outcome(saved);
            }
            long moved = call(Nr.DUP2, udp, 3);
            r.add("dup2=" + (moved == 3 ? "3" : outcome(moved)));
            try {
                r.add("sendmsg=" + outcome(call(Nr.SENDMSG, 3, named, 0)));
            } finally {
                long back = call(Nr.DUP2, saved, 3);
                call(Nr.CLOSE, saved);
                r.add("restored=" + (back == 3 ? "3" : outcome(back)));
            }
            return "OK " + String.join(" ", r);
        }
    }

    static String refused(String what, long result) {
        return "REFUSED " + what + " " + Errno.name((int) -result);
    }

    /** A result as {@code 0}, {@code 5} or {@code EPERM}, for reports listing many calls. */
    private static String outcome(long result) {
        return result < 0 ? Errno.name((int) -result) : String.valueOf(result);
    }

    private static byte[] sockaddrIn(int port) {
        ByteBuffer b = le(16);
        b.putShort((short) AF_INET);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).put(new byte[] {127, 0, 0, 1});
        return bytes(b);
    }

    private static byte[] sockaddrIn6(int port) {
        ByteBuffer b = le(28);
        b.putShort((short) AF_INET6);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).putInt(0);
        byte[] loopback = new byte[16];
        loopback[15] = 1;
        b.put(loopback);
        return bytes(b);
    }

    private static byte[] sockaddr(int family, int port) {
        return family == AF_INET6 ? sockaddrIn6(port) : sockaddrIn(port);
    }

    /** A sockaddr_un for a pathname, or for an abstract name (leading NUL, length counts exactly). */
    private static byte[] sockaddrUn(String name, boolean abstractName) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int length = 2 + (abstractName ? 1 : 0) + n.length + (abstractName ? 0 : 1);
        ByteBuffer b = le(length);
        b.putShort((short) AF_UNIX);
        if (abstractName) {
            b.put((byte) 0);
        }
        b.put(n);
        return bytes(b);
    }

    private static String status() throws IOException {
        List<String> wanted = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            for (String key : new String[] {
                "Pid:",
                "PPid:",
                "Uid:",
                "CapInh:",
                "CapPrm:",
                "CapEff:",
                "CapBnd:",
                "CapAmb:",
                "NoNewPrivs:",
                "Seccomp:"
            }) {
                if (line.startsWith(key)) {
                    wanted.add(line.replaceAll("\\s+", " ").strip());
                }
            }
        }
        return String.join("|", wanted);
    }

    /** Session, process group and controlling terminal from /proc/self/stat (fields 6, 5 and 7). */
    private static String controllingTerminal() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
        return "pgrp=" + f[2] + " session=" + f[3] + " tty_nr=" + f[4];
    }

    private long pid(String spec) {
        return spec.equals("ppid") ? call(Nr.GETPPID) : Long.parseLong(spec);
    }

    // ------------------------------------------------------------------ terminal

    private static final long TIOCSTI = 0x5412;

    /** Pushes {@link #INJECTED} into the terminal's input one byte at a time; with {@code high}, the request's upper 32 bits set. */
    private String tiocsti(int fd, boolean high) {
        long request = high ? 0xdead_beef_0000_0000L | TIOCSTI : TIOCSTI;
        byte[] line = INJECTED.getBytes(StandardCharsets.US_ASCII);
        long c = memory(1);
        for (int i = 0; i < line.length; i++) {
            raw.put(c, new byte[] {line[i]});
            long r = call(Nr.IOCTL, fd, request, c);
            if (r < 0) {
                return refused("ioctl(" + fd + ", TIOCSTI" + (high ? "|high bits" : "") + ") at byte " + i, r);
            }
        }
        return "OK pushed " + line.length + " bytes";
    }

    /** TIOCLINUX subcodes that paste or select on a virtual console (a pty answers them with an error anyway). */
    private String tioclinux(int fd) {
        Map<String, Long> results = new LinkedHashMap<>();
        long paste = memory(new byte[] {3}); // TIOCL_PASTESEL
        results.put("PASTESEL", call(Nr.IOCTL, fd, 0x541C, paste));
        long paste64 = memory(new byte[] {3});
        results.put("PASTESEL|high", call(Nr.IOCTL, fd, 0xdead_beef_0000_0000L | 0x541C, paste64));
        ByteBuffer sel = le(12).put((byte) 2).put((byte) 0); // TIOCL_SETSEL, struct tiocl_selection follows unaligned
        results.put("SETSEL", call(Nr.IOCTL, fd, 0x541C, memory(bytes(sel))));
        return report(results);
    }

    /**
     * The terminal requests that take over or change the operator's terminal rather than use it:
     * inject input, change the line discipline, redirect the console, become its controlling
     * process or foreground group, hang it up, lock its settings, make it exclusive. Also the
     * harmless reads interactive programs rely on, which must keep working.
     */
    private String terminalIoctls(int fd) {
        Map<String, Long> results = new LinkedHashMap<>();
        long intArg = memory(4);
        results.put("TIOCSETD", call(Nr.IOCTL, fd, 0x5423, intArg)); // N_TTY: 0
        results.put("TIOCCONS", call(Nr.IOCTL, fd, 0x541D, 0));
        results.put("TIOCSCTTY", call(Nr.IOCTL, fd, 0x540E, 0));
        long pgrp = memory(4);
        long got = call(Nr.IOCTL, fd, 0x540F, pgrp); // TIOCGPGRP, then set the same group back
        results.put("TIOCSPGRP", got < 0 ? got : call(Nr.IOCTL, fd, 0x5410, pgrp));
        results.put("TIOCVHANGUP", call(Nr.IOCTL, fd, 0x5437, 0));
        results.put("TIOCSLCKTRMIOS", call(Nr.IOCTL, fd, 0x5457, memory(60)));
        results.put("TIOCEXCL", call(Nr.IOCTL, fd, 0x540C, 0));
        results.put("TIOCSTI|high", call(Nr.IOCTL, fd, 0xffff_ffff_0000_0000L | TIOCSTI, memory(new byte[] {'x'})));
        results.put("read:TCGETS", call(Nr.IOCTL, fd, 0x5401, memory(60)));
        results.put("read:TIOCGWINSZ", call(Nr.IOCTL, fd, 0x5413, memory(8)));
        return report(results);
    }

    private static String report(Map<String, Long> results) {
        StringBuilder b = new StringBuilder("OK");
        results.forEach((k, v) -> b.append(' ').append(k).append('=').append(outcome(v)));
        return b.toString();
    }

    // ------------------------------------------------------------------ IP sockets

    /** socket(family, SOCK_STREAM, protocol), connect to the loopback port, send a few bytes. */
    private String ipConnect(int family, int protocol, int port) {
        long fd = call(Nr.SOCKET, family, SOCK_STREAM, protocol);
        if (fd < 0) {
            return refused("socket(" + family + ", SOCK_STREAM, " + protocol + ")", fd);
        }
        try {
            byte[] address = sockaddr(family, port);
            long r = call(Nr.CONNECT, fd, memory(address), address.length);
            if (r < 0) {
                return refused("connect", r);
            }
            byte[] data = ("CONNECTED-" + protocol).getBytes(StandardCharsets.US_ASCII);
            return "OK connected, write=" + outcome(call(Nr.WRITE, fd, memory(data), data.length));
        } finally {
            close(fd);
        }
    }

    /** A TCP connection opened by sendto/sendmsg with MSG_FASTOPEN instead of connect. */
    private String fastOpen(int family, int port, boolean sendmsg) {
        long fd = call(Nr.SOCKET, family, SOCK_STREAM, 0);
        if (fd < 0) {
            return refused("socket", fd);
        }
        try {
            byte[] address = sockaddr(family, port);
            byte[] data = "FASTOPEN".getBytes(StandardCharsets.US_ASCII);
            long r;
            if (sendmsg) {
                r = call(Nr.SENDMSG, fd, memory(messageHeader(memory(address), address.length, data)), MSG_FASTOPEN);
            } else {
                r = call(Nr.SENDTO, fd, memory(data), data.length, MSG_FASTOPEN, memory(address), address.length);
            }
            if (r < 0) {
                return refused(sendmsg ? "sendmsg(MSG_FASTOPEN)" : "sendto(MSG_FASTOPEN)", r);
            }
            try {
                Thread.sleep(200); // let the handshake finish before the close
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "OK sent " + r + " bytes";
        } finally {
            close(fd);
        }
    }

    /**
     * listen() on a socket never bound: the kernel binds an ephemeral port on every address. Prints
     * {@code listening PORT} for the test to connect to, waits for its line, then tries to accept.
     */
    private String listenUnbound(int family) throws IOException {
        long fd = call(Nr.SOCKET, family, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            return refused("socket", fd);
        }
        try {
            long r = call(Nr.LISTEN, fd, 8);
            if (r < 0) {
                System.out.println("listening none");
                System.out.flush();
                STDIN.readLine();
                return refused("listen", r);
            }
            long address = memory(28);
            long length = memory(le(4).putInt(28).array());
            call(Nr.GETSOCKNAME, fd, address, length);
            int port = ByteBuffer.wrap(raw.get(address, 4))
                            .order(ByteOrder.BIG_ENDIAN)
                            .getShort(2)
                    & 0xffff;
            System.out.println("listening " + port);
            System.out.flush();
            STDIN.readLine();
            long accepted = call(Nr.ACCEPT4, fd, 0, 0, 0);
            close(accepted);
            return "OK listening on port " + port + ", accept=" + outcome(accepted);
        } finally {
            close(fd);
        }
    }

    private String udp(int family, int port) {
        long fd = call(Nr.SOCKET, family, SOCK_DGRAM, 0);
        if (fd < 0) {
            return refused("socket(SOCK_DGRAM)", fd);
        }
        try {
            byte[] address = sockaddr(family, port);
            byte[] data = "UDP-ATTACK".getBytes(StandardCharsets.US_ASCII);
            long r = call(Nr.SENDTO, fd, memory(data), data.length, 0, memory(address), address.length);
            return r < 0 ? refused("sendto", r) : "OK sent " + r;
        } finally {
            close(fd);
        }
    }

    /**
     * The sockets that reach a network without TCP or UDP ports: raw IP (ICMP) and ICMP "ping"
     * datagram sockets on both families, and packet sockets. Each one socket() created is sent an
     * ICMP echo request to the loopback address before it is closed.
     */
    private String rawSockets() {
        Map<String, Long> results = new LinkedHashMap<>();
        int[][] kinds = {
            {AF_INET, SOCK_RAW, 1}, // IPPROTO_ICMP
            {AF_INET6, SOCK_RAW, 58}, // IPPROTO_ICMPV6
            {AF_INET, SOCK_DGRAM, 1}, // ping socket
            {AF_INET6, SOCK_DGRAM, 58},
            {AF_INET, SOCK_RAW, 255}, // IPPROTO_RAW
            {AF_PACKET, SOCK_RAW, 0x0300}, // ETH_P_ALL, network order
            {AF_PACKET, SOCK_DGRAM, 0x0300}
        };
        for (int[] k : kinds) {
            long fd = call(Nr.SOCKET, k[0], k[1], k[2]);
            results.put(k[0] + "/" + k[1] + "/" + k[2], fd < 0 ? fd : 0);
            if (fd >= 0) {
                if (k[0] != AF_PACKET) {
                    byte[] echo = {8, 0, (byte) 0xf7, (byte) 0xff, 0, 0, 0, 0}; // type 8, checksum of an empty echo
                    byte[] to = sockaddr(k[0], 0);
                    results.put(
                            k[0] + "/" + k[1] + "/" + k[2] + ":sendto",
                            call(Nr.SENDTO, fd, memory(echo), echo.length, 0, memory(to), to.length));
                }
                close(fd);
            }
        }
        return report(results);
    }

    /**
     * A DNS query for {@code name} (type A), as a resolver library would send it, to the loopback
     * {@code port}: in one UDP datagram, or over a TCP connection with the length prefix.
     */
    private String dnsQuery(int family, boolean tcp, int port, String name) {
        ByteBuffer q = ByteBuffer.allocate(512).order(ByteOrder.BIG_ENDIAN);
        q.putShort((short) 0x5eed)
                .putShort((short) 0x0100)
                .putShort((short) 1)
                .putShort((short) 0)
                .putInt(0);
        for (String label : name.split("\\.", -1)) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            q.put((byte) l.length).put(l);
        }
        q.put((byte) 0).putShort((short) 1).putShort((short) 1);
        byte[] query = java.util.Arrays.copyOf(q.array(), q.position());
        long fd = call(Nr.SOCKET, family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
        if (fd < 0) {
            return refused("socket", fd);
        }
        try {
            byte[] address = sockaddr(family, port);
            if (tcp) {
                long r = call(Nr.CONNECT, fd, memory(address), address.length);
                if (r < 0) {
                    return refused("connect", r);
                }
                byte[] framed = le(2 + query.length)
                        .order(ByteOrder.BIG_ENDIAN)
                        .putShort((short) query.length)
                        .put(query)
                        .array();
                return "OK sent over TCP " + outcome(call(Nr.WRITE, fd, memory(framed), framed.length));
            }
            long r = call(Nr.SENDTO, fd, memory(query), query.length, 0, memory(address), address.length);
            return r < 0 ? refused("sendto", r) : "OK sent " + r;
        } finally {
            close(fd);
        }
    }

    /**
     * A connection through the JDK to {@code ip:port} in an InetAddress that claims to be {@code
     * name} ({@code InetAddress.getByAddress}): a grant for the name must not cover an address the
     * broker never resolved it to.
     */
    @SuppressWarnings("AddressSelection") // a numeric literal: no name is looked up
    private static String forgedAddress(String name, String ip, int port) throws IOException {
        java.net.InetAddress forged = java.net.InetAddress.getByAddress(
                name, java.net.InetAddress.getByName(ip).getAddress());
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(forged, port), 5000);
            s.getOutputStream().write(("forged " + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return "OK connected to " + forged;
        }
    }

    /** A name resolved through the JDK, as any program resolves one. */
    @SuppressWarnings("AddressSelection") // the name lookup is the attack
    private static String resolve(String name) throws IOException {
        return "OK " + java.net.InetAddress.getByName(name);
    }

    /** A plain JDK connect, writing a line naming it: the control beside the attacks. */
    @SuppressWarnings("AddressSelection") // the host as the program names it is the point
    private static String javaConnect(String host, int port) throws IOException {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), 5000);
            s.getOutputStream().write(("jconnect " + host + "\n").getBytes(StandardCharsets.US_ASCII));
            return "OK connected";
        }
    }

    /** Every address family with every common type: the ones socket() created. */
    private String families() {
        StringBuilder created = new StringBuilder();
        for (int family = 0; family < 46; family++) {
            for (int type : new int[] {1, 2, 3, 5}) {
                long fd = call(Nr.SOCKET, family, type, 0);
                if (fd >= 0) {
                    created.append(' ').append(family).append('/').append(type);
                    close(fd);
                }
            }
        }
        return "OK created" + created;
    }

    /** NETLINK_SOCK_DIAG dump of every Unix socket: the names it reveals that contain {@code marker}. */
    private String sockDiag(String marker) {
        long fd = call(Nr.SOCKET, AF_NETLINK, SOCK_DGRAM | 02000000, 4);
        if (fd < 0) {
            return refused("socket(AF_NETLINK, NETLINK_SOCK_DIAG)", fd);
        }
        try {
            ByteBuffer req = le(16 + 24);
            req.putInt(40)
                    .putShort((short) 20)
                    .putShort((short) 0x301)
                    .putInt(1)
                    .putInt(0); // SOCK_DIAG_BY_FAMILY, REQUEST|DUMP
            req.put((byte) AF_UNIX)
                    .put((byte) 0)
                    .putShort((short) 0)
                    .putInt(0xffffffff)
                    .putInt(0)
                    .putInt(1)
                    .putInt(-1)
                    .putInt(-1);
            long sent = call(Nr.SENDTO, fd, memory(bytes(req)), 40, 0, 0, 0);
            if (sent < 0) {
                return refused("sendto(netlink)", sent);
            }
            int sockets = 0;
            List<String> found = new ArrayList<>();
            long buffer = memory(65536);
            for (int round = 0; round < 1000; round++) {
                long n = call(Nr.RECVFROM, fd, buffer, 65536, round == 0 ? 0 : MSG_DONTWAIT, 0, 0);
                if (n <= 0) {
                    return "OK sockets=" + sockets + " marked=" + found + " recv=" + outcome(n);
                }
                ByteBuffer b = ByteBuffer.wrap(raw.get(buffer, (int) n)).order(ByteOrder.LITTLE_ENDIAN);
                int at = 0;
                while (at + 16 <= n) {
                    int length = b.getInt(at);
                    int type = b.getShort(at + 4);
                    if (type == 3 || type == 2 || length < 16) { // NLMSG_DONE, NLMSG_ERROR
                        return "OK sockets=" + sockets + " marked=" + found
                                + (type == 2 ? " error=" + b.getInt(at + 16) : "");
                    }
                    sockets++;
                    int attr = at + 16 + 16;
                    while (attr + 4 <= at + length) {
                        int alen = b.getShort(attr) & 0xffff;
                        int atype = b.getShort(attr + 2) & 0xffff;
                        if (alen < 4) {
                            break;
                        }
                        if (atype == 0) { // UNIX_DIAG_NAME
                            byte[] name = new byte[alen - 4];
                            b.get(attr + 4, name);
                            String s = new String(name, StandardCharsets.UTF_8).replace('\0', '@');
                            if (s.contains(marker)) {
                                found.add(s);
                            }
                        }
                        attr += (alen + 3) & ~3;
                    }
                    at += (length + 3) & ~3;
                }
            }
            return "OK sockets=" + sockets + " marked=" + found + " (dump did not end)";
        } finally {
            close(fd);
        }
    }

    /** An AF_VSOCK socket reaches the hypervisor host past every network rule; creating it is the hole. */
    private String vsock() {
        long fd = call(Nr.SOCKET, AF_VSOCK, SOCK_STREAM, 0);
        close(fd);
        return fd < 0 ? refused("socket(AF_VSOCK)", fd) : "OK created";
    }

    // ------------------------------------------------------------------ Unix sockets

    /**
     * socketpair(AF_UNIX, SOCK_DGRAM) and sendmsg from one end to a datagram socket named by path
     * (or abstract name), carrying SCM_RIGHTS of descriptor 3 (the broker channel) and, when
     * {@code file} is given, of that file opened through the JDK (so through the broker).
     */
    private String unixDatagram(boolean abstractName, String name, String file) throws IOException {
        FileInputStream opened = file.isEmpty() ? null : new FileInputStream(file);
        try {
            List<Integer> pass = new ArrayList<>(List.of(3));
            if (opened != null) {
                pass.add(descriptorOf(file));
            }
            long pair = memory(8);
            long r = call(Nr.SOCKETPAIR, AF_UNIX, SOCK_DGRAM, 0, pair);
            if (r < 0) {
                return refused("socketpair(AF_UNIX, SOCK_DGRAM)", r);
            }
            ByteBuffer fds = ByteBuffer.wrap(raw.get(pair, 8)).order(ByteOrder.LITTLE_ENDIAN);
            int sender = fds.getInt(0);
            int other = fds.getInt(4);
            try {
                byte[] address = sockaddrUn(name, abstractName);
                byte[] data = ("DGRAM-ATTACK fds=" + pass).getBytes(StandardCharsets.US_ASCII);
                int cmsgLength = 16 + 4 * pass.size();
                ByteBuffer control =
                        le((cmsgLength + 7) & ~7).putLong(cmsgLength).putInt(1).putInt(1); // SOL_SOCKET, SCM_RIGHTS
                for (int fd : pass) {
                    control.putInt(fd);
                }
                byte[] msg = messageHeader(memory(address), address.length, data, bytes(control));
                long sent = call(Nr.SENDMSG, sender, memory(msg), 0);
                return sent < 0
                        ? refused("sendmsg(SCM_RIGHTS " + pass + ")", sent)
                        : "OK sent " + sent + " bytes with descriptors " + pass;
            } finally {
                close(sender);
                close(other);
            }
        } finally {
            if (opened != null) {
                opened.close();
            }
        }
    }

    /** The descriptor number at which this process has {@code file} open, from /proc/self/fd. */
    private static int descriptorOf(String file) throws IOException {
        try (var stream = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : stream) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(file)) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // the directory stream's own descriptor, closed by now
                }
            }
        }
        throw new IOException(file + " is not open");
    }

    /** socket(AF_UNIX, type) and connect to a listening pathname socket, then send. */
    private String unixConnect(int type, String path) {
        long fd = call(Nr.SOCKET, AF_UNIX, type, 0);
        if (fd < 0) {
            return refused("socket(AF_UNIX, " + type + ")", fd);
        }
        try {
            byte[] address = sockaddrUn(path, false);
            long r = call(Nr.CONNECT, fd, memory(address), address.length);
            if (r < 0) {
                return refused("connect", r);
            }
            byte[] data = "UNIX-ATTACK".getBytes(StandardCharsets.US_ASCII);
            return "OK connected, write=" + outcome(call(Nr.WRITE, fd, memory(data), data.length));
        } finally {
            close(fd);
        }
    }

    // ------------------------------------------------------------------ SysV IPC

    /** {@code key:K} looks the object up by key; {@code id:N} uses an id straight away (ids are guessable). */
    private long ipcId(String how, long value, int getNr) {
        return how.equals("key") ? call(getNr, value, 0, 0) : value;
    }

    private String sharedMemory(String how, long value) {
        long id = ipcId(how, value, Nr.SHMGET);
        if (id < 0) {
            return refused("shmget", id);
        }
        long address = call(Nr.SHMAT, id, 0, 0);
        if (address < 0 && address > -4096) {
            return refused("shmat", address);
        }
        String before = new String(raw.get(address, 16), StandardCharsets.US_ASCII)
                .replace('\0', ' ')
                .strip();
        raw.put(address, "PWNED-BY-HELPER\0".getBytes(StandardCharsets.US_ASCII));
        call(Nr.SHMDT, address);
        return "OK read '" + before + "' and overwrote it";
    }

    private String messageQueue(String how, long value) {
        long id = ipcId(how, value, Nr.MSGGET);
        if (id < 0) {
            return refused("msgget", id);
        }
        long buffer = memory(8 + 64);
        long n = call(Nr.MSGRCV, id, buffer, 64, 0, IPC_NOWAIT);
        String received = n < 0 ? outcome(n) : new String(raw.get(buffer + 8, (int) n), StandardCharsets.US_ASCII);
        byte[] mine = le(8 + 5)
                .putLong(1)
                .put("PWNED".getBytes(StandardCharsets.US_ASCII))
                .array();
        long sent = call(Nr.MSGSND, id, memory(mine), 5, IPC_NOWAIT);
        if (n < 0 && sent < 0) {
            return refused("msgrcv and msgsnd", n);
        }
        return "OK msgrcv=" + received + " msgsnd=" + outcome(sent);
    }

    private String semaphore(String how, long value) {
        long id = ipcId(how, value, Nr.SEMGET);
        if (id < 0) {
            return refused("semget", id);
        }
        long r = call(Nr.SEMCTL, id, 0, 16, 42); // SETVAL 42
        return r < 0 ? refused("semctl(SETVAL)", r) : "OK semaphore set to 42";
    }

    /**
     * The victim, run by the test outside the sandbox as the helper's user: SysV objects under
     * {@code key} (a segment holding ORIGINAL, a queue holding QUEUED, a semaphore at 7); prints
     * {@code ready}, waits for the test's line, then reports what they hold and removes them.
     */
    private String victim(long key) throws IOException {
        int create = 01000 | 0600; // IPC_CREAT, owner only
        long shm = call(Nr.SHMGET, key, 4096, create);
        long msq = call(Nr.MSGGET, key, create);
        long sem = call(Nr.SEMGET, key, 1, create);
        if (shm < 0 || msq < 0 || sem < 0) {
            return refused("victim's shmget/msgget/semget", Math.min(shm, Math.min(msq, sem)));
        }
        long address = call(Nr.SHMAT, shm, 0, 0);
        raw.put(address, "ORIGINAL\0".getBytes(StandardCharsets.US_ASCII));
        call(
                Nr.MSGSND,
                msq,
                memory(le(8 + 6)
                        .putLong(1)
                        .put("QUEUED".getBytes(StandardCharsets.US_ASCII))
                        .array()),
                6,
                IPC_NOWAIT);
        call(Nr.SEMCTL, sem, 0, 16, 7);
        System.out.println("ready shm=" + shm + " msg=" + msq + " sem=" + sem);
        System.out.flush();
        STDIN.readLine();
        String content = new String(raw.get(address, 16), StandardCharsets.US_ASCII)
                .replace('\0', ' ')
                .strip();
        List<String> messages = new ArrayList<>();
        long buffer = memory(8 + 64);
        for (int i = 0; i < 100; i++) {
            long n = call(Nr.MSGRCV, msq, buffer, 64, 0, IPC_NOWAIT);
            if (n < 0) {
                break;
            }
            messages.add(new String(raw.get(buffer + 8, (int) n), StandardCharsets.US_ASCII));
        }
        long value = call(Nr.SEMCTL, sem, 0, 12, 0); // GETVAL
        call(Nr.SHMDT, address);
        call(Nr.SHMCTL, shm, 0, 0);
        call(Nr.MSGCTL, msq, 0, 0);
        call(Nr.SEMCTL, sem, 0, 0, 0);
        return "OK shm='" + content + "' messages=" + messages + " sem=" + value;
    }

    /** Reads each path the test sends on stdin (until an empty line) with Files.readString; one line each. */
    private static String readInput() throws IOException {
        System.out.println("waiting");
        System.out.flush();
        int n = 0;
        for (String path; (path = STDIN.readLine()) != null && !path.isEmpty(); n++) {
            String result;
            try (FileInputStream in = new FileInputStream(path)) {
                try {
                    byte[] b = in.readNBytes(4096);
                    result = "OK "
                            + new String(b, StandardCharsets.UTF_8)
                                    .replace('\0', ' ')
                                    .replace('\n', '|');
                } catch (IOException e) {
                    result = "OK opened; read: " + e.getMessage();
                }
            } catch (IOException e) {
                result = "EX " + e.getClass().getName() + ": " + e.getMessage();
            }
            System.out.println("input " + path + " " + result);
            System.out.flush();
        }
        return "OK read " + n;
    }

    // ------------------------------------------------------------------ other processes

    /** The resource and scheduling calls on another process: each one's result. */
    private String scheduling(String which, long pid) {
        Map<String, Long> results = new LinkedHashMap<>();
        if (which.equals("all") || which.equals("prlimit")) {
            long limit = memory(le(16).putLong(1000).putLong(1000).array()); // RLIMIT_CPU 1000 s
            results.put("prlimit(RLIMIT_CPU)", call(Nr.PRLIMIT64, pid, 0, limit, 0));
        }
        if (which.equals("all") || which.equals("setpriority")) {
            results.put("setpriority(19)", call(Nr.SETPRIORITY, 0, pid, 19));
        }
        if (which.equals("all") || which.equals("affinity")) {
            results.put(
                    "sched_setaffinity(cpu0)",
                    call(Nr.SCHED_SETAFFINITY, pid, 8, memory(le(8).putLong(1).array())));
        }
        if (which.equals("all") || which.equals("ioprio")) {
            results.put("ioprio_set(idle)", call(Nr.IOPRIO_SET, 1, pid, 3 << 13));
        }
        if (which.equals("all") || which.equals("scheduler")) {
            results.put("sched_setscheduler(SCHED_IDLE)", call(Nr.SCHED_SETSCHEDULER, pid, 5, memory(4)));
        }
        return report(results).replaceFirst("^OK", "OK pid=" + pid);
    }

    /**
     * A raw clone of a thread (CLONE_THREAD) with a descriptor table of its own (no CLONE_FILES),
     * and the same with CLONE_FILES. Both lack CLONE_SIGHAND, which the kernel then refuses with
     * EINVAL, so no thread is ever made: EINVAL means seccomp let the call through, EPERM that it
     * refused it.
     */
    private String cloneThread() {
        Map<String, Long> results = new LinkedHashMap<>();
        results.put("clone(THREAD)", call(Nr.CLONE, 0x00010000, 0, 0, 0, 0));
        results.put("clone(THREAD|FILES)", call(Nr.CLONE, 0x00010000 | 0x00000400, 0, 0, 0, 0));
        return report(results);
    }

    private String sleeper(int seconds, boolean detach) {
        if (raw != jni) {
            throw new IllegalArgumentException("the sleeper forks in C: jni only");
        }
        long pid = Native.leaveSleeper(seconds, detach);
        return pid < 0 ? refused("fork", pid) : "OK sleeper " + pid;
    }

    /** A child JVM started the ordinary way, never waited for. */
    private static String javaChild(long millis) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(
                        java,
                        "-XX:+PerfDisableSharedMem",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Attack.class.getName(),
                        "java.sleep:" + millis)
                .start();
        return "OK sleeper " + child.pid();
    }

    // ------------------------------------------------------------------ file metadata

    /** The values every metadata attack writes: mode 0777, the helper's own group, a time in 2001, a new xattr, one removed. */
    private long times() {
        // struct timespec[2] (utimensat) = struct timeval[2] (utimes) = 32 bytes; struct utimbuf is 16.
        return memory(le(32).putLong(1_000_000_000L)
                .putLong(0)
                .putLong(1_000_000_000L)
                .putLong(0)
                .array());
    }

    private String metadataByPath(String path, int gid) {
        Map<String, Long> r = new LinkedHashMap<>();
        long p = cString(path);
        long value = memory("yes".getBytes(StandardCharsets.US_ASCII));
        long pwned = cString("user.pwned");
        long keep = cString("user.keep");
        r.put("chmod", call(Nr.CHMOD, p, 0777));
        r.put("fchmodat", call(Nr.FCHMODAT, AT_FDCWD, p, 0776));
        r.put("fchmodat2", call(Nr.FCHMODAT2, AT_FDCWD, p, 0775, 0));
        r.put("chown", call(Nr.CHOWN, p, -1, gid));
        r.put("lchown", call(Nr.LCHOWN, p, -1, gid));
        r.put("fchownat", call(Nr.FCHOWNAT, AT_FDCWD, p, -1, gid, 0));
        r.put(
                "utime",
                call(
                        Nr.UTIME,
                        p,
                        memory(le(16).putLong(1_000_000_000L)
                                .putLong(1_000_000_000L)
                                .array())));
        r.put("utimes", call(Nr.UTIMES, p, times()));
        r.put("futimesat", call(Nr.FUTIMESAT, AT_FDCWD, p, times()));
        r.put("utimensat", call(Nr.UTIMENSAT, AT_FDCWD, p, times(), 0));
        r.put("utimensat(now)", call(Nr.UTIMENSAT, AT_FDCWD, p, 0, 0));
        r.put("setxattr", call(Nr.SETXATTR, p, pwned, value, 3, 0));
        r.put("lsetxattr", call(Nr.LSETXATTR, p, cString("user.pwned2"), value, 3, 0));
        long xattrArgs =
                memory(le(16).putLong(value).putInt(3).putInt(0).array()); // struct xattr_args {value, size, flags}
        r.put("setxattrat", call(Nr.SETXATTRAT, AT_FDCWD, p, 0, cString("user.pwned3"), xattrArgs, 16));
        r.put("removexattr", call(Nr.REMOVEXATTR, p, keep));
        r.put("lremovexattr", call(Nr.LREMOVEXATTR, p, cString("user.keep2")));
        r.put("removexattrat", call(Nr.REMOVEXATTRAT, AT_FDCWD, p, 0, cString("user.keep3")));
        return metadataReport(r);
    }

    /** The same through a real descriptor of the file (one the helper was given, such as its stdin). */
    private String metadataByDescriptor(int fd, int gid) {
        Map<String, Long> r = new LinkedHashMap<>();
        long value = memory("yes".getBytes(StandardCharsets.US_ASCII));
        r.put("fchmod", call(Nr.FCHMOD, fd, 0777));
        r.put("fchown", call(Nr.FCHOWN, fd, -1, gid));
        r.put("futimens", call(Nr.UTIMENSAT, fd, 0, times(), 0));
        r.put("fsetxattr", call(Nr.FSETXATTR, fd, cString("user.pwned"), value, 3, 0));
        r.put("fremovexattr", call(Nr.FREMOVEXATTR, fd, cString("user.keep")));
        long path = cString("/proc/self/fd/" + fd);
        r.put("chmod(/proc/self/fd)", call(Nr.CHMOD, path, 0776));
        r.put("setxattr(/proc/self/fd)", call(Nr.SETXATTR, path, cString("user.pwned2"), value, 3, 0));
        return metadataReport(r);
    }

    /** The same through an O_PATH descriptor (which Landlock does not check) and the *at calls' AT_EMPTY_PATH. */
    private String metadataByOpath(String path, int gid) {
        long fd = call(Nr.OPENAT, AT_FDCWD, cString(path), O_PATH | O_CLOEXEC);
        if (fd < 0) {
            return refused("open(O_PATH)", fd);
        }
        try {
            Map<String, Long> r = new LinkedHashMap<>();
            long empty = cString("");
            long value = memory("yes".getBytes(StandardCharsets.US_ASCII));
            r.put("fchmodat2(AT_EMPTY_PATH)", call(Nr.FCHMODAT2, fd, empty, 0777, AT_EMPTY_PATH));
            r.put("fchownat(AT_EMPTY_PATH)", call(Nr.FCHOWNAT, fd, empty, -1, gid, AT_EMPTY_PATH));
            r.put("utimensat(AT_EMPTY_PATH)", call(Nr.UTIMENSAT, fd, empty, times(), AT_EMPTY_PATH));
            long xattrArgs = memory(le(16).putLong(value).putInt(3).putInt(0).array());
            r.put(
                    "setxattrat(AT_EMPTY_PATH)",
                    call(Nr.SETXATTRAT, fd, empty, AT_EMPTY_PATH, cString("user.pwned"), xattrArgs, 16));
            r.put(
                    "removexattrat(AT_EMPTY_PATH)",
                    call(Nr.REMOVEXATTRAT, fd, empty, AT_EMPTY_PATH, cString("user.keep")));
            long proc = cString("/proc/self/fd/" + fd);
            r.put("chmod(/proc/self/fd)", call(Nr.CHMOD, proc, 0776));
            r.put("chown(/proc/self/fd)", call(Nr.CHOWN, proc, -1, gid));
            r.put("utimensat(/proc/self/fd)", call(Nr.UTIMENSAT, AT_FDCWD, proc, times(), 0));
            return metadataReport(r);
        } finally {
            close(fd);
        }
    }

    private static String metadataReport(Map<String, Long> results) {
        StringBuilder through = new StringBuilder();
        results.forEach((k, v) -> {
            if (v >= 0) {
                through.append(through.length() == 0 ? "" : " ").append(k);
            }
        });
        return (through.length() == 0 ? "REFUSED all" : "OK got through: " + through) + " |"
                + report(results).substring(2);
    }

    // ------------------------------------------------------------------ links and the broker

    /**
     * Asks the broker directly (as hostile native code can, on descriptor 3) for a no-follow STAT
     * of {@code path}, and reads the target of any descriptor it hands back with readlinkat(fd, "").
     */
    private String brokerStatLink(String path) throws Exception {
        ByteBuffer encoded = ByteBuffer.allocate(dev.airlock.ipc.Message.MAX_SIZE);
        int length = RawChannel.encodeLstat(0x5eed, path, encoded);
        // The channel, borrowed: the agent's client owns it.
        dev.airlock.unix.Fd borrowed = dev.airlock.unix.Fd.adopt(3);
        dev.airlock.unix.SeqPacketSocket socket =
                new dev.airlock.unix.SeqPacketSocket(borrowed, dev.airlock.ipc.Message.MAX_SIZE);
        try {
            socket.send(encoded, length, null);
            ByteBuffer in = ByteBuffer.allocate(dev.airlock.ipc.Message.MAX_SIZE + 1);
            dev.airlock.unix.SeqPacketSocket.Received received = socket.receive(in);
            if (received == null) {
                return "REFUSED broker closed the channel";
            }
            int errno = RawChannel.replyErrno(in, received.length(), received.descriptors().length > 0);
            if (received.descriptors().length == 0) {
                return "REFUSED broker replied errno=" + Errno.name(errno) + " without a descriptor";
            }
            try (dev.airlock.unix.Fd fd = received.descriptors()[0]) {
                return "OK descriptor, readlinkat: " + readlinkEmpty(fd.get());
            }
        } finally {
            borrowed.release(); // the agent's channel: never closed here
        }
    }

    private String readlinkEmpty(int fd) {
        long buffer = memory(4096);
        long n = call(Nr.READLINKAT, fd, cString(""), buffer, 4096);
        return n < 0 ? Errno.name((int) -n) : new String(raw.get(buffer, (int) n), StandardCharsets.UTF_8);
    }

    /**
     * Files.readAttributes(link, NOFOLLOW_LINKS) through the JDK (the agent may fetch a descriptor
     * from the broker for it), then readlinkat(fd, "") on every descriptor this process holds.
     */
    private String lstatThenDescriptors(Path link) throws IOException {
        String attributes;
        try {
            attributes = "symlink="
                    + Files.readAttributes(link, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                            .isSymbolicLink();
        } catch (IOException e) {
            attributes = e.getClass().getSimpleName();
        }
        StringBuilder targets = new StringBuilder();
        for (int fd = 3; fd < 1024; fd++) {
            long buffer = memory(4096);
            long n = call(Nr.READLINKAT, fd, cString(""), buffer, 4096);
            if (n >= 0) {
                targets.append(' ')
                        .append(fd)
                        .append("->")
                        .append(new String(raw.get(buffer, (int) n), StandardCharsets.UTF_8));
            }
        }
        return "OK " + attributes + " links held:" + targets;
    }

    // ------------------------------------------------------------------ inotify

    /** Watches {@code dir}, waits for the test to create names there, and reports the names it saw. */
    private String inotify(String dir) throws IOException, InterruptedException {
        long fd = call(Nr.INOTIFY_INIT1, SOCK_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            handshake();
            return refused("inotify_init1", fd);
        }
        try {
            long wd = call(
                    Nr.INOTIFY_ADD_WATCH,
                    fd,
                    cString(dir),
                    0x100 | 0x80 | 0x200 | 0x2 | 0x20); // CREATE MOVED_TO DELETE MODIFY OPEN
            handshake();
            if (wd < 0) {
                return refused("inotify_add_watch", wd);
            }
            Thread.sleep(200);
            long buffer = memory(65536);
            long n = call(Nr.READ, fd, buffer, 65536);
            List<String> names = new ArrayList<>();
            if (n > 0) {
                ByteBuffer b = ByteBuffer.wrap(raw.get(buffer, (int) n)).order(ByteOrder.LITTLE_ENDIAN);
                for (int at = 0; at + 16 <= n; ) {
                    int len = b.getInt(at + 12);
                    byte[] name = new byte[len];
                    b.get(at + 16, name);
                    names.add(new String(name, StandardCharsets.UTF_8).replace("\0", ""));
                    at += 16 + len;
                }
            }
            return "OK watch " + wd + " events " + names + " read=" + outcome(n);
        } finally {
            close(fd);
        }
    }

    /** The JDK's WatchService on {@code dir}: the names its events carry. */
    private static String javaWatch(Path dir) throws IOException, InterruptedException {
        try (java.nio.file.WatchService watcher = dir.getFileSystem().newWatchService()) {
            try {
                dir.register(watcher, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            } finally {
                handshake();
            }
            java.nio.file.WatchKey key = watcher.poll(3, java.util.concurrent.TimeUnit.SECONDS);
            List<String> names = new ArrayList<>();
            if (key != null) {
                key.pollEvents().forEach(e -> names.add(String.valueOf(e.context())));
            }
            return "OK events " + names;
        }
    }

    /** Tells the test the watch is in place and waits for its line (it has created its names by then). */
    private static void handshake() throws IOException {
        System.out.println("watching");
        System.out.flush();
        STDIN.readLine();
    }

    /** Errno names for the reports. */
    static final class Errno {
        private static final String[] NAMES = new String[134];

        static {
            String[][] known = {
                {"1", "EPERM"},
                {"2", "ENOENT"},
                {"3", "ESRCH"},
                {"9", "EBADF"},
                {"11", "EAGAIN"},
                {"12", "ENOMEM"},
                {"13", "EACCES"},
                {"14", "EFAULT"},
                {"16", "EBUSY"},
                {"17", "EEXIST"},
                {"20", "ENOTDIR"},
                {"22", "EINVAL"},
                {"25", "ENOTTY"},
                {"38", "ENOSYS"},
                {"40", "ELOOP"},
                {"43", "EIDRM"},
                {"61", "ENODATA"},
                {"88", "ENOTSOCK"},
                {"93", "EPROTONOSUPPORT"},
                {"94", "ESOCKTNOSUPPORT"},
                {"95", "EOPNOTSUPP"},
                {"97", "EAFNOSUPPORT"},
                {"101", "ENETUNREACH"},
                {"103", "ECONNABORTED"},
                {"104", "ECONNRESET"},
                {"106", "EISCONN"},
                {"107", "ENOTCONN"},
                {"110", "ETIMEDOUT"},
                {"111", "ECONNREFUSED"},
                {"113", "EHOSTUNREACH"},
                {"115", "EINPROGRESS"}
            };
            for (String[] k : known) {
                NAMES[Integer.parseInt(k[0])] = k[1];
            }
        }

        private Errno() {}

        static String name(int errno) {
            return errno > 0 && errno < NAMES.length && NAMES[errno] != null ? NAMES[errno] : "errno" + errno;
        }
    }
}
