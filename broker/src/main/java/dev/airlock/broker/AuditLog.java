package dev.airlock.broker;

import dev.airlock.broker.signing.AuditSeal;
import dev.airlock.broker.signing.ChainDigest;
import dev.airlock.broker.signing.SigningKey;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Processes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
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
 * never dropped. All lines are chained and written under one lock, in the order written. A line is
 * built as UTF-8 bytes in a reused buffer ({@link AuditLineBuffer}) and chained with a reused digest
 * ({@link ChainDigest}), so that recording every allowed request costs the writer thread its
 * formatting and hashing and no garbage for the broker's small young generation to collect.
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

    /**
     * How many steps the writer thread raises its nice value above the request loop's. At the
     * loop's own, the scheduler may leave a woken serving thread waiting behind a batch being
     * formatted and hashed (about 2 µs a record) on the same CPU; 10 steps higher (a tenth of the
     * weight) the serving threads run first whenever they want a CPU, and on a busy machine the
     * writer still gets a tenth of a CPU, tens of thousands of records a second, before the
     * queue's bound drops and counts any.
     */
    static final int WRITER_PRIORITY_STEPS = 10;

    /** What the writer thread is given to end on: the only entry without a check ({@link #request} records none such). */
    private static final Decided STOP = new Decided(Instant.EPOCH, 0, "", false, 0, List.of(), true, 0);

    private final WritableByteChannel out;
    /** Lines chained but not yet written: a denial's, or one batch of the writer thread's. Guarded by this. */
    private final AuditLineBuffer pending = new AuditLineBuffer(16 * 1024);
    /** The body of a line being written under the lock (a denial's, a seal's). Guarded by this. */
    private final AuditLineBuffer body = new AuditLineBuffer(1024);
    /** The chain's digest. Guarded by this. */
    private final ChainDigest chain = new ChainDigest();

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
    private final byte[] prev = new byte[ChainDigest.LENGTH];
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
        synchronized (this) {
            head(body.clear(), "run", clock.get()).ascii(",\"version\":").string(run.version());
            body.ascii(",\"policies\":[");
            for (int i = 0; i < run.policies().size(); i++) {
                PolicyFile p = run.policies().get(i);
                body.ascii(i == 0 ? "{\"file\":" : ",{\"file\":")
                        .string(p.file())
                        .ascii(",\"sha256\":")
                        .string(p.sha256())
                        .ascii('}');
            }
            body.ascii("],\"landlockAbi\":").number(run.landlockAbi()).ascii(",\"layers\":");
            strings(body, run.layers()).ascii(",\"command\":");
            strings(body, run.command());
            write(body.array(), 0, body.size());
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
                requestBody(body.clear(), decided);
                write(body.array(), 0, body.size());
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
        try {
            Processes.lowerThreadPriority(WRITER_PRIORITY_STEPS);
        } catch (ErrnoException e) {
            // Not a check, only a courtesy to the request loop: the writer then runs as it is.
        }
        List<Decided> batch = new ArrayList<>(BATCH);
        // The batch's bodies one after another, the i-th ending at ends[i]; the writer thread's own.
        AuditLineBuffer bodies = new AuditLineBuffer(64 * 1024);
        int[] ends = new int[BATCH];
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
                int count = 0;
                for (int i = 0; i < batch.size(); i++) {
                    Decided decided = batch.get(i);
                    if (decided.checks().isEmpty()) { // STOP: every record has a check
                        stop = true;
                        break;
                    }
                    requestBody(bodies, decided);
                    ends[count++] = bodies.size();
                }
                synchronized (this) {
                    for (int i = 0, start = 0; i < count; start = ends[i++]) {
                        write(bodies.array(), start, ends[i] - start);
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

    /** Appends the body of {@code decided}'s line to {@code b}. */
    private static void requestBody(AuditLineBuffer b, Decided decided) {
        List<AuditCheck> checks = decided.checks();
        head(b, "request", decided.time()).ascii(",\"pid\":").number(decided.pid());
        b.ascii(",\"op\":").string(decided.op()).ascii(",\"flags\":");
        b.string(decided.open() ? openFlags(decided.openFlags()) : null).ascii(",\"checks\":[");
        for (int i = 0; i < checks.size(); i++) {
            AuditCheck c = checks.get(i);
            b.ascii(i == 0 ? "{\"target\":" : ",{\"target\":").string(c.target());
            b.ascii(",\"kind\":").string(c.kind().word());
            b.ascii(",\"actions\":").string(c.actions());
            strings(b.ascii(",\"names\":"), c.names());
            b.ascii(",\"allowed\":").bool(c.allowed());
            b.ascii(",\"rule\":").string(c.rule()).ascii('}');
        }
        b.ascii("],\"decision\":\"").ascii(decided.denied() ? "deny" : "allow").ascii("\",\"errno\":");
        int errno = decided.errno();
        b.string(errno == 0 ? null : Errno.name(errno));
    }

    /** Appends {@code "type":TYPE,"time":TIME}, how every line's body begins, to {@code b}. */
    private static AuditLineBuffer head(AuditLineBuffer b, String type, Instant time) {
        return b.ascii("\"type\":\"").ascii(type).ascii("\",\"time\":").time(time.getEpochSecond(), time.getNano());
    }

    private static AuditLineBuffer strings(AuditLineBuffer b, List<String> values) {
        b.ascii('[');
        for (int i = 0; i < values.size(); i++) {
            b.ascii(i == 0 ? "" : ",").string(values.get(i));
        }
        return b.ascii(']');
    }

    /**
     * Writes one line of the body in {@code length} bytes of {@code from} at {@code offset} (its
     * members after seq, before prev); then a seal when one is due. Holding this.
     */
    private void write(byte[] from, int offset, int length) {
        if (failure != null || closed) {
            return;
        }
        reportDropped();
        line(from, offset, length);
        if (key.isPresent() && sinceSeal >= SEAL_EVERY) {
            seal();
        }
    }

    private void reportDropped() {
        long count = dropped.getAndSet(0);
        if (count > 0 && failure == null) {
            AuditLineBuffer b = new AuditLineBuffer(128);
            head(b, "suppressed", clock.get()).ascii(",\"count\":").number(count);
            line(b.array(), 0, b.size());
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
        AuditLineBuffer b = new AuditLineBuffer(256);
        head(b, "seal", clock.get()).ascii(",\"records\":").number(sinceSeal);
        b.ascii(",\"keyFingerprint\":")
                .string(signing.verifyingKey().fingerprint().toString());
        // What is signed is the seal line as it would be without its signature member.
        AuditLineBuffer unsigned = new AuditLineBuffer(512);
        frame(unsigned, b.array(), 0, b.size());
        byte[] signature = AuditSeal.sign(signing, java.util.Arrays.copyOf(unsigned.array(), unsigned.size()));
        b.ascii(",\"signature\":").string(Base64.getEncoder().encodeToString(signature));
        line(b.array(), 0, b.size());
        sinceSeal = 0;
    }

    /**
     * Adds the line {@code {"seq":SEQ,BODY,"prev":"PREV"}} to what {@link #flush} writes next,
     * the body being {@code length} bytes of {@code from} at {@code offset}, and chains it. Holding
     * this.
     */
    private void line(byte[] from, int offset, int length) {
        int start = pending.size();
        frame(pending, from, offset, length);
        chain.hash(pending.array(), start, pending.size() - start, prev);
        pending.ascii('\n');
        seq++;
        sinceSeal++;
    }

    /** Appends {@code {"seq":SEQ,BODY,"prev":"PREV"}} to {@code into}, the body as {@link #line} takes it. Holding this. */
    private void frame(AuditLineBuffer into, byte[] from, int offset, int length) {
        into.ascii("{\"seq\":").number(seq).ascii(',').bytes(from, offset, length);
        into.ascii(",\"prev\":\"").hex(prev).ascii("\"}");
    }

    /** Writes the lines added since the last flush, with one {@code write(2)} as a rule. Holding this. */
    private void flush() {
        if (pending.size() == 0) {
            return;
        }
        ByteBuffer buffer = ByteBuffer.wrap(pending.array(), 0, pending.size());
        if (failure != null) {
            pending.clear();
            return;
        }
        try {
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        } catch (IOException e) {
            fail(e);
        }
        pending.clear();
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
