package dev.airlock.helper;

import static dev.airlock.helper.ScriptedBroker.PROMPTLY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.airlock.helper.ScriptedBroker.Incoming;
import dev.airlock.ipc.FileStat;
import dev.airlock.ipc.HelperDescriptor;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.unix.Errno;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Processes;
import dev.airlock.unix.SeqPacketSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The helper's broker client on its own: a real socketpair, the client on one end and a
 * {@link ScriptedBroker} played by the test thread on the other. Callers run in threads of their
 * own ({@link Caller}) because a call blocks until its reply arrives.
 *
 * <p>The scenarios use only ids, paths and the answer methods of {@link ScriptedBroker}; the
 * client's request API is used only by the helpers at the end of this class.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BrokerClientTest {
    @TempDir
    Path dir;

    // ---- one request, each reply shape ----

    @Test
    void descriptorReplyIsAWorkingDescriptorOfTheFileTheBrokerOpened() throws Exception {
        Path file = write("answer", "opened by the broker");
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            Caller<Integer> caller = Caller.start("open", () -> open(broker.client(), file.toString()));
            Incoming request = broker.next(PROMPTLY);
            assertEquals(file.toString(), request.path);
            answerWithFile(broker, request, file);
            int fd = caller.get();
            try (Fd received = Fd.adopt(fd)) {
                assertEquals(file, Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)));
                assertEquals(
                        "opened by the broker",
                        new String(Linux.readAll(received.get(), 1024), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void dataReplyReachesTheCaller() throws Exception {
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            Caller<byte[]> caller = Caller.start("readlink", () -> readLink(broker.client(), "/data/link"));
            Incoming request = broker.next(PROMPTLY);
            assertEquals("/data/link", request.path);
            broker.answerData(request, "../elsewhere/target".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("../elsewhere/target".getBytes(StandardCharsets.UTF_8), caller.get());
        }
    }

    @Test
    void statusReplyReachesTheCaller() throws Exception {
        FileStat status = LINK_STATUS;
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            Caller<FileStat> caller = Caller.start("stat", () -> statLink(broker.client(), "/data/link"));
            Incoming request = broker.next(PROMPTLY);
            assertEquals("/data/link", request.path);
            broker.answerStatus(request, status);
            assertEquals(status, caller.get());
        }
    }

    @Test
    void watchReplyIsAWatchOfTheCallersOwnInotifyInstance() throws Exception {
        Path other = Files.createDirectory(dir.resolve("other"));
        Path watched = Files.createDirectory(dir.resolve("watched"));
        try (ScriptedBroker broker = ScriptedBroker.start();
                Fd inotify = Linux.inotifyInit()) {
            // A first watch of the caller's own, so that a watch in any fresh instance (1) differs from one in this
            // (2).
            int first = Linux.inotifyAddWatch(inotify.get(), other.toString(), IN_CREATE);
            Caller<Integer> caller =
                    Caller.start("watch", () -> watch(broker.client(), inotify, watched.toString(), IN_CREATE));
            Incoming request = broker.next(PROMPTLY);
            assertEquals(watched.toString(), request.path);
            assertEquals(List.of(), request.descriptors, "no descriptor travels with the request");
            HelperDescriptor named = ((Request.Watch) request.request).instance();
            assertEquals(inotify.get(), named.number(), "the request names the caller's inotify instance");
            int wd;
            // Taken as the broker takes it: by its number, from the caller's process (here this one).
            try (Fd pidfd = Processes.pidfdOpen(Linux.getpid());
                    Fd taken = Processes.takeDescriptor(pidfd, named.number())) {
                wd = Linux.inotifyAddWatch(taken.get(), watched.toString(), IN_CREATE);
            }
            assertNotEquals(first, wd);
            broker.answerWatch(request, wd);
            assertEquals(wd, caller.get());
            assertTrue(inotify.isOpen());
            // Adding the same directory again to the caller's instance finds the broker's watch there.
            assertEquals(wd, Linux.inotifyAddWatch(inotify.get(), watched.toString(), IN_CREATE));
        }
    }

    @Test
    void replyWithNothingReachesTheCaller() throws Exception {
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            Caller<Void> caller = Caller.start("mkdir", () -> makeDirectory(broker.client(), "/data/new"));
            Incoming request = broker.next(PROMPTLY);
            assertEquals("/data/new", request.path);
            broker.answerDone(request);
            caller.get();
        }
    }

    @Test
    void policyDenialReachesTheCallerWithItsReasonAndTheClientGoesOn() throws Exception {
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            String reason = "denied by airlock policy app.policy: read";
            Caller<Integer> caller = Caller.start("open", () -> open(broker.client(), "/secret"));
            broker.answerDenied(broker.next(PROMPTLY), Errno.EACCES, reason);
            assertDenied(caller, "/secret", Errno.EACCES, reason);
            assertStillServes(broker);
        }
    }

    @Test
    void kernelFailureReachesTheCallerWithItsErrnoAndTheClientGoesOn() throws Exception {
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            Caller<Integer> caller = Caller.start("open", () -> open(broker.client(), "/missing"));
            broker.answerFailed(broker.next(PROMPTLY), Errno.ENOENT);
            assertFailed(caller, "/missing", Errno.ENOENT);
            assertStillServes(broker);
        }
    }

    @Test
    void replyOfTheWrongShapeFailsClosed() throws Exception {
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            Caller<Integer> caller = Caller.start("open", () -> open(broker.client(), "/data/file"));
            broker.answerData(broker.next(PROMPTLY), "not a descriptor".getBytes(StandardCharsets.UTF_8));
            assertBrokerGone(caller);
            assertLaterCallsThrow(broker);
        }
    }

    @Test
    void brokerErrorIsABrokerFailureNeverADenialAndTheClientGoesOn() throws Exception {
        Path file = write("served", "served after the error");
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            Caller<Integer> failing = Caller.start("open failing", () -> open(broker.client(), "/data/failing"));
            Incoming first = broker.next(PROMPTLY);
            Caller<String> other = Caller.start("open other", () -> openAndRead(broker.client(), file));
            Incoming second = broker.next(PROMPTLY);
            assertEquals("/data/failing", first.path);
            broker.answerBrokerError(first, "airlock broker: internal error");
            BrokerFailedException failed = assertBrokerFailed(failing);
            assertEquals("airlock broker: internal error", failed.getMessage());
            assertNull(failed.getCause(), "one request failed: the channel did not");
            // One request's failure: the request in flight beside it and later ones are still served.
            assertFalse(other.result.isDone());
            answerWithFile(broker, second, file);
            assertEquals("served after the error", other.get());
            assertStillServes(broker);
        }
    }

    @Test
    void everyReplyKindTheOperationDoesNotYieldFailsClosed() throws Exception {
        Path file = write("file", "x");
        Path other = Files.createDirectory(dir.resolve("other"));
        // OPEN yields a descriptor, STAT a descriptor or a status, READLINK data, MKDIR nothing, WATCH a watch.
        assertWrongKindFailsClosed(
                client -> open(client, "/data/file"), (broker, r) -> broker.answerStatus(r, LINK_STATUS));
        assertWrongKindFailsClosed(client -> open(client, "/data/file"), ScriptedBroker::answerDone);
        assertWrongKindFailsClosed(client -> open(client, "/data/file"), (broker, r) -> broker.answerWatch(r, 1));
        assertWrongKindFailsClosed(
                client -> statLink(client, "/data/link"), (broker, r) -> broker.answerData(r, new byte[] {'x'}));
        assertWrongKindFailsClosed(
                client -> makeDirectory(client, "/data/new"), (broker, r) -> broker.answerData(r, new byte[0]));
        assertWrongKindFailsClosed(
                client -> readLink(client, "/data/link"), (broker, r) -> answerWithFile(broker, r, file));
        assertEquals(List.of(), descriptorsOf(file), "the descriptor nobody asked for is closed");
        try (Fd inotify = Linux.inotifyInit()) {
            assertWrongKindFailsClosed(
                    client -> watch(client, inotify, other.toString(), IN_CREATE), ScriptedBroker::answerDone);
            assertTrue(inotify.isOpen(), "the caller's inotify instance stays the caller's");
        }
    }

    // ---- many callers ----

    @Test
    void concurrentCallersAnsweredOutOfOrderEachGetTheirOwnReply() throws Exception {
        int threads = 16;
        int each = 200;
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < each; i += 2) {
                write(t + "-" + i, "file of request " + t + "-" + i);
            }
        }
        warmUp();
        Set<String> before = openDescriptors();
        int reordered = 0;
        int largest = 0;
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            List<Caller<Void>> callers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                callers.add(Caller.start("caller " + t, () -> {
                    for (int i = 0; i < each; i++) {
                        String path = dir.resolve(thread + "-" + i).toString();
                        if (i % 2 == 0) {
                            try (Fd fd = Fd.adopt(open(broker.client(), path))) {
                                assertEquals(
                                        "file of request " + thread + "-" + i,
                                        new String(Linux.readAll(fd.get(), 1024), StandardCharsets.UTF_8));
                            }
                        } else {
                            assertEquals(path, new String(readLink(broker.client(), path), StandardCharsets.UTF_8));
                        }
                    }
                    return null;
                }));
            }
            Random random = new Random(10);
            int answered = 0;
            while (answered < threads * each) {
                List<Incoming> batch = new ArrayList<>();
                batch.add(broker.next(PROMPTLY));
                Incoming more;
                while (batch.size() < threads && (more = broker.poll(Duration.ofMillis(2))) != null) {
                    batch.add(more);
                }
                List<Incoming> arrived = List.copyOf(batch);
                Collections.shuffle(batch, random);
                if (!batch.equals(arrived)) {
                    reordered++;
                }
                largest = Math.max(largest, batch.size());
                for (Incoming request : batch) {
                    boolean even = Integer.parseInt(request.path.substring(request.path.lastIndexOf('-') + 1)) % 2 == 0;
                    if (even) { // the callers open their even requests' files and read their odd ones' links
                        answerWithFile(broker, request, Path.of(request.path));
                    } else {
                        broker.answerData(request, request.path.getBytes(StandardCharsets.UTF_8));
                    }
                }
                answered += batch.size();
            }
            for (Caller<Void> caller : callers) {
                caller.get();
            }
            assertTrue(broker.quiet(Duration.ofMillis(50)), "no request beyond the callers' own");
        }
        assertTrue(reordered > 0, "the broker answered out of order at least once (largest batch " + largest + ")");
        assertEquals(before, openDescriptors(), "no descriptor leaked");
    }

    // ---- a broker that misbehaves ----

    @Test
    void strayRepliesAreDroppedWithTheirDescriptorsAndTheCallersStillServed() throws Exception {
        Path stray = write("stray", "nobody asked for this");
        List<Path> files = List.of(write("a", "file a"), write("b", "file b"), write("c", "file c"));
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            List<Caller<String>> callers = new ArrayList<>();
            for (Path file : files) {
                callers.add(Caller.start("open " + file, () -> openAndRead(broker.client(), file)));
            }
            List<Incoming> requests = broker.next(files.size(), PROMPTLY);
            try (Fd strayFd = Linux.open(stray.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC, 0)) {
                int nobody = requests.stream().mapToInt(r -> r.id).max().getAsInt() + 1000;
                broker.sendDescriptorReply(nobody, strayFd); // an id nobody waits for
                Incoming first = requests.get(0);
                answerWithFile(broker, first, Path.of(first.path));
                broker.sendDescriptorReply(first.id, strayFd); // a second reply to one already answered
                answerWithFile(broker, requests.get(2), Path.of(requests.get(2).path));
                answerWithFile(broker, requests.get(1), Path.of(requests.get(1).path));
            }
            for (int i = 0; i < files.size(); i++) {
                assertEquals("file " + (char) ('a' + i), callers.get(i).get());
            }
            assertStillServes(broker); // the strays were read before this reply, so they are closed by now
            assertEquals(List.of(), descriptorsOf(stray), "the stray descriptors are closed");
        }
    }

    @Test
    void replyWithTwoDescriptorsFailsClosedAndClosesThem() throws Exception {
        Path one = write("one", "1");
        Path two = write("two", "2");
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            Caller<Integer> first = Caller.start("open one", () -> open(broker.client(), one.toString()));
            Caller<Integer> second = Caller.start("open two", () -> open(broker.client(), two.toString()));
            List<Incoming> requests = broker.next(2, PROMPTLY);
            try (Fd fd1 = Linux.open(one.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
                    Fd fd2 = Linux.open(two.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC, 0)) {
                broker.answerWithDescriptors(requests.get(0), fd1, fd2);
            }
            assertBrokerGone(first);
            assertBrokerGone(second);
            assertLaterCallsThrow(broker);
            assertEquals(List.of(), descriptorsOf(one));
            assertEquals(List.of(), descriptorsOf(two));
        }
    }

    @Test
    void undecodableReplyFailsClosedAndClosesItsDescriptor() throws Exception {
        Path file = write("file", "x");
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            Caller<Integer> first = Caller.start("open 1", () -> open(broker.client(), file.toString()));
            Caller<Integer> second = Caller.start("open 2", () -> open(broker.client(), file.toString()));
            broker.next(2, PROMPTLY);
            byte[] garbage = new byte[24];
            Arrays.fill(garbage, (byte) 0xEE);
            try (Fd fd = Linux.open(file.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC, 0)) {
                broker.sendRaw(garbage, fd);
            }
            assertBrokerGone(first);
            assertBrokerGone(second);
            assertLaterCallsThrow(broker);
            assertEquals(List.of(), descriptorsOf(file));
        }
    }

    @Test
    void brokerDeathFailsEveryPendingCallerPromptlyAndEveryLaterOne() throws Exception {
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            List<Caller<byte[]>> callers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String path = "/data/" + i;
                callers.add(Caller.start("readlink " + i, () -> readLink(broker.client(), path)));
            }
            broker.next(4, PROMPTLY);
            broker.die();
            assertTimeoutPreemptively(Duration.ofSeconds(3), () -> {
                for (Caller<byte[]> caller : callers) {
                    assertBrokerGone(caller);
                }
                assertBrokerGone(Caller.start("later", () -> readLink(broker.client(), "/data/later")));
            });
        }
    }

    @Test
    void requestToABrokerAlreadyDeadThrows() throws Exception {
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            broker.die();
            assertTimeoutPreemptively(Duration.ofSeconds(3), () -> {
                assertBrokerGone(Caller.start("first", () -> readLink(broker.client(), "/data/first")));
                assertBrokerGone(Caller.start("second", () -> readLink(broker.client(), "/data/second")));
            });
        }
    }

    // ---- interrupts and ids ----

    @Test
    void interruptedCallersStillGetTheirRepliesAndKeepTheirInterruptStatus() throws Exception {
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            Caller<byte[]> a = Caller.start("a", () -> readLink(broker.client(), "/data/a"));
            Caller<byte[]> b = Caller.start("b", () -> readLink(broker.client(), "/data/b"));
            List<Incoming> requests = new ArrayList<>(broker.next(2, PROMPTLY));
            // One of the two reads the channel (in recvmsg), the other waits for it to hand over.
            long deadline = System.nanoTime() + PROMPTLY.toNanos();
            while (a.thread.getState() != Thread.State.WAITING && b.thread.getState() != Thread.State.WAITING) {
                assertTrue(System.nanoTime() < deadline, "neither caller waits");
                Thread.sleep(1);
            }
            a.thread.interrupt();
            b.thread.interrupt();
            Caller<byte[]> c = Caller.start("c", () -> {
                Thread.currentThread().interrupt();
                return readLink(broker.client(), "/data/c");
            });
            requests.add(broker.next(PROMPTLY));
            Thread.sleep(100);
            assertFalse(
                    a.result.isDone() || b.result.isDone() || c.result.isDone(), "an interrupt does not end a call");
            Collections.reverse(requests);
            for (Incoming request : requests) {
                broker.answerData(request, ("reply to " + request.path).getBytes(StandardCharsets.UTF_8));
            }
            for (Caller<byte[]> caller : List.of(a, b, c)) {
                String name = caller.thread.getName();
                assertEquals("reply to /data/" + name, new String(caller.get(), StandardCharsets.UTF_8));
                assertTrue(caller.interruptedAtEnd, name + " keeps its interrupt status");
            }
        }
    }

    @Test
    void idsWrapPastTheLargestAndSkipZero() throws Exception {
        try (ScriptedBroker broker = ScriptedBroker.start(-2)) { // 2^32 - 2 on the wire
            int calls = 4;
            Caller<Void> caller = Caller.start("sequential", () -> {
                for (int i = 0; i < calls; i++) {
                    assertEquals(
                            "reply " + i, new String(readLink(broker.client(), "/data/" + i), StandardCharsets.UTF_8));
                }
                return null;
            });
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                Incoming request = broker.next(PROMPTLY);
                assertEquals("/data/" + i, request.path);
                ids.add(Integer.toUnsignedString(request.id));
                broker.answerData(request, ("reply " + i).getBytes(StandardCharsets.UTF_8));
            }
            caller.get();
            assertEquals(List.of("4294967294", "4294967295", "1", "2"), ids);
        }
    }

    @Test
    void noClientStartsAtIdZero() throws Exception {
        Fd[] pair = Linux.seqpacketPair();
        try {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> BrokerClient.overSocket(new SeqPacketSocket(pair[1], Message.MAX_SIZE), 0));
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    // ---- the channel check ----

    @Test
    void connectRefusesAChannelWhosePeerIsNotTheParentAndLeavesTheDescriptorOpen() throws Exception {
        Fd[] pair = Linux.seqpacketPair();
        Fd mine = pair[1];
        try {
            int fd = mine.get();
            IOException refused = assertThrows(IOException.class, () -> BrokerClient.connect(fd));
            // The pair's creator is this process, which is never its own parent.
            assertEquals(
                    "airlock channel " + fd + " belongs to pid " + Linux.getpid() + ", not to this process's parent "
                            + Linux.getppid(),
                    refused.getMessage());
            Linux.statusFlags(fd); // still open: EBADF otherwise
            assertTrue(mine.isOpen());
            assertTrue(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))
                    .toString()
                    .startsWith("socket:"));
        } finally {
            pair[0].close();
            mine.close();
        }
    }

    // ---- scenario support ----

    private static final int IN_CREATE = 0x100;

    /** A symbolic link's status as the broker would send it in place of a descriptor. */
    private static final FileStat LINK_STATUS = new FileStat(
            Linux.S_IFLNK | 0777,
            4242,
            0x801,
            0,
            1,
            1000,
            1000,
            17,
            1_700_000_000L,
            1,
            1_700_000_001L,
            2,
            1_700_000_002L,
            3,
            true,
            1_600_000_000L,
            4);

    /** A client call a scenario makes in a caller thread. */
    private interface ClientCall {
        Object run(BrokerClient client) throws Exception;
    }

    /** How the scripted broker answers one request. */
    private interface Answering {
        void answer(ScriptedBroker broker, Incoming request) throws IOException;
    }

    /** {@code call}, answered as {@code answer} says with a kind its operation never yields, fails closed. */
    private static void assertWrongKindFailsClosed(ClientCall call, Answering answer) throws Exception {
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            Caller<Object> caller = Caller.start("wrong kind", () -> call.run(broker.client()));
            Incoming request = broker.next(PROMPTLY);
            answer.answer(broker, request);
            String message = assertBrokerFailed(caller).getMessage();
            assertTrue(
                    message.startsWith("airlock broker answered "
                            + request.description.substring(request.description.indexOf(' ') + 1)),
                    message);
            assertLaterCallsThrow(broker);
        }
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    /** Opens {@code file} as the broker would and answers {@code request} with the descriptor. */
    private static void answerWithFile(ScriptedBroker broker, Incoming request, Path file) throws IOException {
        try (Fd fd = Linux.open(file.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC, 0)) {
            broker.answerDescriptor(request, fd);
        }
    }

    private static String openAndRead(BrokerClient client, Path file) throws IOException {
        try (Fd fd = Fd.adopt(open(client, file.toString()))) {
            return new String(Linux.readAll(fd.get(), 1024), StandardCharsets.UTF_8);
        }
    }

    /** One more request, answered: the client still works. */
    private static void assertStillServes(ScriptedBroker broker) throws Exception {
        Caller<byte[]> caller = Caller.start("still", () -> readLink(broker.client(), "/data/still"));
        Incoming request = broker.next(PROMPTLY);
        assertEquals("/data/still", request.path);
        broker.answerData(request, "yes".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("yes".getBytes(StandardCharsets.UTF_8), caller.get());
    }

    /** A failed client refuses every later request without asking the broker. */
    private static void assertLaterCallsThrow(ScriptedBroker broker) throws Exception {
        assertBrokerGone(Caller.start("later", () -> readLink(broker.client(), "/data/later")));
        assertTrue(broker.quiet(Duration.ofMillis(50)), "a failed client sends nothing");
    }

    private static void assertBrokerGone(Caller<?> caller) {
        Throwable thrown = assertBrokerFailed(caller);
        assertTrue(thrown.getMessage().startsWith("airlock broker "), thrown.getMessage());
    }

    /** A warm-up exchange, so that the descriptors class loading and binding open stay out of the count. */
    private void warmUp() throws Exception {
        Path file = write("warm-up", "warm");
        try (ScriptedBroker broker = ScriptedBroker.start()) {
            Caller<String> caller = Caller.start("warm-up", () -> openAndRead(broker.client(), file));
            answerWithFile(broker, broker.next(PROMPTLY), file);
            assertEquals("warm", caller.get());
        }
    }

    /** This process's open descriptors, each as "number -> what it is", without the listing's own. */
    private static Set<String> openDescriptors() throws IOException {
        Set<String> open = new TreeSet<>();
        for (var entry : links().entrySet()) {
            open.add(entry.getKey() + " -> " + entry.getValue());
        }
        return open;
    }

    /** The numbers of this process's descriptors of {@code file}. */
    private static List<Integer> descriptorsOf(Path file) throws IOException {
        List<Integer> numbers = new ArrayList<>();
        for (var entry : links().entrySet()) {
            if (entry.getValue().equals(file.toString())) {
                numbers.add(entry.getKey());
            }
        }
        return numbers;
    }

    private static Map<Integer, String> links() throws IOException {
        TreeMap<Integer, String> links = new TreeMap<>();
        Path self = Path.of("/proc/self/fd");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(self)) {
            for (Path entry : entries) {
                String target;
                try {
                    target = Files.readSymbolicLink(entry).toString();
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                // Not the listing's own descriptor, nor one of the JVM's own files (a jar, the JDK, a
                // random source), which it may open lazily meanwhile.
                boolean theJvms = target.endsWith(".jar")
                        || target.startsWith(System.getProperty("java.home"))
                        || target.startsWith("/dev/random")
                        || target.startsWith("/dev/urandom");
                if (!target.matches("/proc/[0-9]+/fd") && !theJvms) {
                    links.put(Integer.parseInt(entry.getFileName().toString()), target);
                }
            }
        }
        return links;
    }

    /** A client call running in a thread of its own, with its outcome. */
    private static final class Caller<T> {
        final Thread thread;
        final CompletableFuture<T> result = new CompletableFuture<>();
        volatile boolean interruptedAtEnd;

        /** What a caller does. */
        interface Call<T> {
            T run() throws Exception;
        }

        private Caller(String name, Call<T> call) {
            thread = new Thread(
                    () -> {
                        try {
                            T value = call.run();
                            interruptedAtEnd = Thread.currentThread().isInterrupted();
                            result.complete(value);
                        } catch (Throwable e) {
                            interruptedAtEnd = Thread.currentThread().isInterrupted();
                            result.completeExceptionally(e);
                        }
                    },
                    name);
            thread.setDaemon(true);
        }

        static <T> Caller<T> start(String name, Call<T> call) {
            Caller<T> caller = new Caller<>(name, call);
            caller.thread.start();
            return caller;
        }

        /** The call's value; its exception rethrown as is. */
        T get() throws Exception {
            try {
                return result.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception) {
                    throw (Exception) e.getCause();
                }
                throw new AssertionError(thread.getName() + " failed", e.getCause());
            } catch (TimeoutException e) {
                throw new AssertionError(thread.getName() + " got no reply within " + PROMPTLY, e);
            }
        }

        /** What the call threw. */
        Throwable failure() {
            try {
                T value = get();
                return fail(thread.getName() + " returned " + value + " instead of throwing");
            } catch (Exception e) {
                return e;
            }
        }
    }

    // ---- the client's request API, in one place ----

    private static int open(BrokerClient client, String path) throws IOException {
        return client.send(new Request.Open(BrokerClient.path(path), Linux.O_RDONLY | Linux.O_CLOEXEC, 0, true))
                .descriptor();
    }

    private static byte[] readLink(BrokerClient client, String path) throws IOException {
        return assertInstanceOf(
                        Reply.Data.class,
                        client.send(new Request.ReadLink(BrokerClient.path(path)))
                                .success())
                .bytes();
    }

    /** STAT of a link not followed, which the broker answers here with a status rather than a descriptor. */
    private static FileStat statLink(BrokerClient client, String path) throws IOException {
        Answer answer = client.send(new Request.Stat(BrokerClient.path(path), true));
        assertEquals(-1, answer.descriptor());
        return assertInstanceOf(Reply.Status.class, answer.success()).stat();
    }

    private static int watch(BrokerClient client, Fd inotify, String path, int mask) throws IOException {
        return client.watch(new Request.Watch(BrokerClient.path(path), mask, new HelperDescriptor(inotify.get())));
    }

    /** MKDIR, whose success carries nothing. */
    private static Void makeDirectory(BrokerClient client, String path) throws IOException {
        Answer answer = client.send(new Request.MakeDirectory(BrokerClient.path(path), 0755));
        assertEquals(new Answer(new Reply.Done(), -1), answer);
        return null;
    }

    private static void assertDenied(Caller<?> caller, String path, int errno, String reason) {
        PolicyDeniedException denied = assertInstanceOf(PolicyDeniedException.class, caller.failure());
        assertEquals(errno, denied.errno());
        assertEquals(reason, denied.reason());
        assertEquals(path + ": " + reason, denied.getMessage());
    }

    private static void assertFailed(Caller<?> caller, String path, int errno) {
        OperationFailedException failed = assertInstanceOf(OperationFailedException.class, caller.failure());
        assertEquals(errno, failed.errno());
        assertEquals(path + ": " + Errno.description(errno), failed.getMessage());
    }

    /** The broker could not serve the request (it failed, is gone or broke the protocol): an I/O error, never a denial. */
    private static BrokerFailedException assertBrokerFailed(Caller<?> caller) {
        Throwable thrown = caller.failure();
        assertFalse(thrown instanceof PolicyDeniedException, "a broker failure is no denial: " + thrown);
        assertFalse(thrown instanceof AccessDeniedException, "a broker failure is no denial: " + thrown);
        return assertInstanceOf(BrokerFailedException.class, thrown);
    }
}
