package dev.airlock.broker;

import dev.airlock.broker.signing.AuditSeal;
import dev.airlock.broker.signing.SigningKey;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.unix.Errno;
import dev.airlock.unix.Linux;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The audit log of a run ({@code airlock run --audit FILE}): one JSON object per line, a hash
 * chain over the lines, and seals signed by the operator's key (the format and its guarantees:
 * docs/ARCHITECTURE.md, "Audit log"). Written by the broker only, into a file it creates itself
 * ({@code O_CREAT|O_EXCL}, so never through a link nor into a file someone prepared, mode 0600),
 * which is never among the helper's Landlock rules.
 *
 * <p>How it stays out of the request loop's way: a denial is written with one {@code write(2)}
 * before its reply is sent ({@link #request}, on the thread that serves it), so a helper that
 * dies at any moment leaves every denial it was answered in the file (the page cache outlives the
 * helper; no {@code fsync}, which would let a flood of denials slow the broker to the disk's pace
 * and is only needed against a crash of the machine). An allowed record ({@code --audit-allowed})
 * goes to a bounded queue that a writer thread empties every {@value #LINGER_MILLIS} ms or so
 * (waiting off the queue, so queuing wakes nobody); when it is full the record is dropped and
 * counted, and the next line written is a {@code suppressed} record with the count. Denials are
 * never dropped. All lines are chained and written under one lock, in the order written.
 *
 * <p>When the file cannot be written (a full disk, an I/O error), the log fails closed: it says so
 * once on stderr, and {@link #failure()} is the message with which the request loop refuses every
 * further request.
 */
final class AuditLog implements AutoCloseable {
    /** A seal every this many lines (with a key), and one at the end of the run. */
    static final int SEAL_EVERY = 1000;

    /** How many allowed records may wait for the writer thread by default. */
    static final int DEFAULT_QUEUE = 8192;

    /** The {@code prev} of the first line. */
    static final String NO_PREV = "0".repeat(64);

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    /** The most queued records the writer thread makes into one write. */
    private static final int BATCH = 256;

    /**
     * How long the writer thread waits after a batch that emptied the queue before it looks
     * again. It waits off the queue, so an allowed request's {@code offer} wakes no thread: a
     * steady stream of them costs the serving thread no wake-up each and the writer one
     * {@code write(2)} per interval. An allowed record so reaches the file at most this much later
     * (all of them before the log is closed); denials are written before their reply, as ever.
     */
    static final long LINGER_MILLIS = 10;

    /** What the writer thread is given to end on: the only entry without a check ({@link #request} records none such). */
    private static final Decided STOP = new Decided(Instant.EPOCH, 0, "", false, 0, List.of(), true, 0);

    private final WritableByteChannel out;
    /** Lines chained but not yet written: a denial's, or one batch of the writer thread's. */
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream(8192);

    private final String name;
    private final boolean allowedToo;
    private final Optional<SigningKey> key;
    private final PrintStream err;
    private final Supplier<Instant> clock;
    private final BlockingQueue<Decided> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;

    // Guarded by this.
    private long seq;
    private byte[] prev = new byte[32];
    private long sinceSeal;
    private volatile String failure;
    private boolean closing;
    private boolean closed;

    /** The facts of the run its first line names. */
    record Run(String version, List<PolicyFile> policies, int landlockAbi, List<String> layers, List<String> command) {}

    /** A policy file of the run and the SHA-256 (hexadecimal) of the bytes the broker parsed. */
    record PolicyFile(String file, String sha256) {
        /** The file with the SHA-256 of {@code bytes}. */
        static PolicyFile of(String file, byte[] bytes) {
            return new PolicyFile(file, HexFormat.of().formatHex(AuditSeal.sha256(bytes)));
        }
    }

    /**
     * Creates {@code file} (refused if anything exists there, a link included) and writes the run's
     * first line.
     */
    static AuditLog create(Path file, boolean allowedToo, Optional<SigningKey> key, int queue, Run run, PrintStream err)
            throws AirlockException {
        FileChannel channel;
        try {
            channel = FileChannel.open(
                    file,
                    java.util.Set.of(
                            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new AirlockException(
                    ExitCodes.USAGE, "--audit " + file + ": exists already; the audit log is always a new file");
        } catch (IOException e) {
            throw new AirlockException(ExitCodes.USAGE, "--audit " + file + ": cannot create: " + e.getMessage());
        }
        AuditLog log = new AuditLog(channel, file.toString(), allowedToo, key, queue, err, Instant::now);
        log.start(run);
        if (log.failure() != null) {
            log.close();
            throw new AirlockException(ExitCodes.USAGE, log.failure());
        }
        return log;
    }

    /** A log on {@code out} (named {@code name} in messages); {@link #start} writes its first line. */
    AuditLog(
            WritableByteChannel out,
            String name,
            boolean allowedToo,
            Optional<SigningKey> key,
            int queue,
            PrintStream err,
            Supplier<Instant> clock) {
        this.out = out;
        this.name = name;
        this.allowedToo = allowedToo;
        this.key = key;
        this.err = err;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(queue);
        this.writer = new Thread(this::drain, "airlock-audit");
        this.writer.setDaemon(true);
    }

    /** Writes the run's line and starts the writer thread. */
    void start(Run run) {
        StringBuilder b = head("run");
        AuditJson.string(b.append(",\"version\":"), run.version()).append(",\"policies\":[");
        for (int i = 0; i < run.policies().size(); i++) {
            PolicyFile p = run.policies().get(i);
            AuditJson.string(b.append(i == 0 ? "{\"file\":" : ",{\"file\":"), p.file())
                    .append(",\"sha256\":\"")
                    .append(p.sha256())
                    .append("\"}");
        }
        b.append("],\"landlockAbi\":").append(run.landlockAbi()).append(",\"layers\":");
        strings(b, run.layers()).append(",\"command\":");
        strings(b, run.command());
        synchronized (this) {
            write(b.toString());
            flush();
        }
        writer.start();
    }

    /** Whether allowed requests are recorded too. */
    boolean allowedToo() {
        return allowedToo;
    }

    /** Why the log cannot be written any more, the message for every further request; null while it can. */
    String failure() {
        return failure;
    }

    /**
     * Records one served request with the policy checks it made, before its reply is sent: a
     * denial written at once, an allowed request queued (or dropped and counted when the queue is
     * full), nothing for a request that made no check or an allowed one without {@code
     * --audit-allowed}.
     */
    void request(int pid, Request request, List<AuditCheck> checks, Reply reply) {
        if (checks.isEmpty()) {
            return;
        }
        boolean denied = reply instanceof Reply.Denied;
        if (!denied && !allowedToo) {
            return;
        }
        int errno = reply instanceof Reply.Denied d ? d.errno() : reply instanceof Reply.Failed f ? f.errno() : 0;
        // Only what the line needs, never the request itself: a queued datagram's payload would
        // make the queue's bound one of places, not of memory.
        Decided decided = new Decided(
                clock.get(),
                pid,
                request.operation().name(),
                request instanceof Request.Open,
                request instanceof Request.Open open ? open.openFlags() : 0,
                checks,
                denied,
                errno);
        if (denied) {
            synchronized (this) {
                write(requestBody(decided));
                flush();
            }
        } else if (!queue.offer(decided)) {
            dropped.incrementAndGet();
        }
    }

    /**
     * A decided request as its line needs it, taken on the serving thread as plain values (the open
     * flags as the number, named only when the line is made); the line is made on the thread that
     * writes it (the writer thread for an allowed one), off the request loop.
     */
    private record Decided(
            Instant time,
            int pid,
            String op,
            boolean open,
            int openFlags,
            List<AuditCheck> checks,
            boolean denied,
            int errno) {}

    /** How many allowed records were dropped and not yet reported; for tests. */
    long dropped() {
        return dropped.get();
    }

    /**
     * Writes what is queued, the count of what was dropped, the last seal, and closes the file.
     * Once only: the broker's reaper closes the log when the helper is gone (then halts the
     * broker), and the run's own {@code finally} closes it when the run ends otherwise; a record
     * that comes after is of a request whose reply can no longer reach anyone, and is not written.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        if (writer.isAlive()) {
            try {
                queue.put(STOP);
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            reportDropped();
            if (key.isPresent() && sinceSeal > 0) {
                seal();
            }
            flush();
            closed = true;
            try {
                out.close();
            } catch (IOException e) {
                fail(e);
            }
        }
    }

    /**
     * The writer thread: takes what is queued in batches, makes the lines off the lock, and writes
     * each batch with one {@code write(2)}; idle for a second, it reports what was dropped.
     */
    private void drain() {
        List<Decided> batch = new ArrayList<>(BATCH);
        List<String> bodies = new ArrayList<>(BATCH);
        try {
            while (true) {
                Decided first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    synchronized (this) {
                        reportDropped();
                        flush();
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                boolean stop = false;
                for (Decided decided : batch) {
                    if (decided.checks().isEmpty()) { // STOP: every record has a check
                        stop = true;
                        break;
                    }
                    bodies.add(requestBody(decided));
                }
                synchronized (this) {
                    for (String body : bodies) {
                        write(body);
                    }
                    flush();
                }
                boolean full = batch.size() == BATCH;
                batch.clear();
                bodies.clear();
                if (stop) {
                    return;
                }
                if (!full) {
                    Thread.sleep(LINGER_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String requestBody(Decided decided) {
        List<AuditCheck> checks = decided.checks();
        StringBuilder b = head("request", decided.time());
        b.append(",\"pid\":").append(decided.pid()).append(",\"op\":");
        AuditJson.string(b, decided.op()).append(",\"flags\":");
        AuditJson.string(b, decided.open() ? openFlags(decided.openFlags()) : null)
                .append(",\"checks\":[");
        for (int i = 0; i < checks.size(); i++) {
            AuditCheck c = checks.get(i);
            AuditJson.string(b.append(i == 0 ? "{\"target\":" : ",{\"target\":"), c.target());
            AuditJson.string(b.append(",\"kind\":"), c.kind().word());
            AuditJson.string(b.append(",\"actions\":"), c.actions());
            strings(b.append(",\"names\":"), c.names());
            b.append(",\"allowed\":").append(c.allowed());
            AuditJson.string(b.append(",\"rule\":"), c.rule()).append('}');
        }
        b.append("],\"decision\":\"")
                .append(decided.denied() ? "deny" : "allow")
                .append("\",\"errno\":");
        int errno = decided.errno();
        return AuditJson.string(b, errno == 0 ? null : Errno.name(errno)).toString();
    }

    /** {@code "type":TYPE,"time":NOW}: how every line but its seq and prev begins. */
    private StringBuilder head(String type) {
        return head(type, clock.get());
    }

    /** {@code "type":TYPE,"time":TIME}. */
    private static StringBuilder head(String type, Instant time) {
        StringBuilder b = new StringBuilder(256);
        return b.append("\"type\":\"")
                .append(type)
                .append("\",\"time\":\"")
                .append(TIME.format(time))
                .append('"');
    }

    private static StringBuilder strings(StringBuilder b, List<String> values) {
        b.append('[');
        for (int i = 0; i < values.size(); i++) {
            AuditJson.string(b.append(i == 0 ? "" : ","), values.get(i));
        }
        return b.append(']');
    }

    /** Writes one line of {@code body} (its members after seq, before prev); then a seal when one is due. Holding this. */
    private void write(String body) {
        if (failure != null || closed) {
            return;
        }
        reportDropped();
        line("{\"seq\":" + seq + "," + body + ",\"prev\":\"" + HexFormat.of().formatHex(prev) + "\"}");
        if (key.isPresent() && sinceSeal >= SEAL_EVERY) {
            seal();
        }
    }

    private void reportDropped() {
        long count = dropped.getAndSet(0);
        if (count > 0 && failure == null) {
            line("{\"seq\":" + seq + ","
                    + head("suppressed").append(",\"count\":").append(count) + ",\"prev\":\""
                    + HexFormat.of().formatHex(prev) + "\"}");
        }
    }

    /**
     * The seal: the line without its signature member is what is signed ({@link AuditSeal}), the
     * signature then goes in before {@code prev}.
     */
    private void seal() {
        if (failure != null) {
            return;
        }
        SigningKey signing = key.orElseThrow();
        String start = "{\"seq\":" + seq + "," + head("seal") + ",\"records\":" + sinceSeal + ",\"keyFingerprint\":\""
                + signing.verifyingKey().fingerprint() + "\"";
        String end = ",\"prev\":\"" + HexFormat.of().formatHex(prev) + "\"}";
        byte[] signature = AuditSeal.sign(signing, (start + end).getBytes(StandardCharsets.UTF_8));
        line(start + ",\"signature\":\"" + Base64.getEncoder().encodeToString(signature) + "\"" + end);
        sinceSeal = 0;
    }

    /** Adds one line to what {@link #flush} writes next, and chains it. Holding this. */
    private void line(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        pending.write(bytes, 0, bytes.length);
        pending.write('\n');
        prev = AuditSeal.sha256(bytes);
        seq++;
        sinceSeal++;
    }

    /** Writes the lines added since the last flush, with one {@code write(2)} as a rule. Holding this. */
    private void flush() {
        if (pending.size() == 0) {
            return;
        }
        ByteBuffer buffer = ByteBuffer.wrap(pending.toByteArray());
        pending.reset();
        if (failure != null) {
            return;
        }
        try {
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    private void fail(IOException e) {
        if (failure == null) {
            failure = "airlock broker: the audit log " + name + " cannot be written (" + e.getMessage()
                    + "): every request is refused";
            err.println("airlock: the audit log " + name + " cannot be written (" + e.getMessage()
                    + "); refusing every further request of the program");
        }
    }

    private static final int[] FLAG_BITS = {
        Linux.O_CREAT,
        Linux.O_EXCL,
        Linux.O_NOCTTY,
        Linux.O_TRUNC,
        Linux.O_APPEND,
        Linux.O_NONBLOCK,
        Linux.O_DSYNC,
        Linux.O_DIRECT,
        Linux.O_LARGEFILE,
        Linux.O_DIRECTORY,
        Linux.O_NOFOLLOW,
        Linux.O_NOATIME,
        Linux.O_CLOEXEC,
        Linux.O_PATH
    };
    private static final String[] FLAG_NAMES = {
        "O_CREAT",
        "O_EXCL",
        "O_NOCTTY",
        "O_TRUNC",
        "O_APPEND",
        "O_NONBLOCK",
        "O_DSYNC",
        "O_DIRECT",
        "O_LARGEFILE",
        "O_DIRECTORY",
        "O_NOFOLLOW",
        "O_NOATIME",
        "O_CLOEXEC",
        "O_PATH"
    };

    /** {@code open(2)} flags by name, {@code O_RDONLY|O_CLOEXEC}; bits without a name as hexadecimal. */
    static String openFlags(int flags) {
        List<String> names = new ArrayList<>();
        int access = flags & Linux.O_ACCMODE;
        names.add(access == Linux.O_RDONLY ? "O_RDONLY" : access == Linux.O_WRONLY ? "O_WRONLY" : "O_RDWR");
        int left = flags & ~Linux.O_ACCMODE;
        if ((left & Linux.O_SYNC) == Linux.O_SYNC) {
            names.add("O_SYNC");
            left &= ~Linux.O_SYNC;
        }
        if ((left & Linux.O_TMPFILE) == Linux.O_TMPFILE) {
            names.add("O_TMPFILE");
            left &= ~Linux.O_TMPFILE;
        }
        for (int i = 0; i < FLAG_BITS.length; i++) {
            if ((left & FLAG_BITS[i]) != 0) {
                names.add(FLAG_NAMES[i]);
                left &= ~FLAG_BITS[i];
            }
        }
        if (left != 0) {
            names.add("0x" + Integer.toHexString(left));
        }
        return String.join("|", names);
    }
}
