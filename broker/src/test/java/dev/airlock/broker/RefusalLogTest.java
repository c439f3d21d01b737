package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The bound on refused-request lines, on an injected clock: burst, rate, and the suppressed counts. */
class RefusalLogTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final RefusalLog log = new RefusalLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), now::get);

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void writesTheBurstThenOneLinePerIntervalAndCountsTheRest() {
        for (int i = 0; i < RefusalLog.BURST; i++) {
            log.println("airlock: refused a request: " + i);
        }
        assertEquals(RefusalLog.BURST, lines().size());
        // A flood at the same instant: nothing more is written, all of it counted.
        for (int i = 0; i < 10_000; i++) {
            log.println("airlock: refused a request: flood " + i);
        }
        assertEquals(RefusalLog.BURST, lines().size());
        assertEquals(10_000, log.suppressed());
        now.addAndGet(RefusalLog.INTERVAL_NANOS - 1);
        log.println("airlock: refused a request: still too soon");
        assertEquals(RefusalLog.BURST, lines().size());
        now.addAndGet(1);
        log.println("airlock: refused a request: resumed");
        List<String> lines = lines();
        assertEquals(RefusalLog.BURST + 2, lines.size());
        assertEquals("airlock: suppressed 10001 refused-request messages", lines.get(RefusalLog.BURST));
        assertEquals("airlock: refused a request: resumed", lines.get(RefusalLog.BURST + 1));
        assertEquals(0, log.suppressed());
        // One per interval from then on, measured from the last line written.
        now.addAndGet(RefusalLog.INTERVAL_NANOS / 2);
        log.println("airlock: refused a request: half an interval later");
        now.addAndGet(RefusalLog.INTERVAL_NANOS / 2);
        log.println("airlock: refused a request: a whole interval later");
        lines = lines();
        assertEquals("airlock: suppressed 1 refused-request messages", lines.get(lines.size() - 2));
        assertEquals("airlock: refused a request: a whole interval later", lines.get(lines.size() - 1));
    }

    @Test
    void theEndOfTheRunReportsWhatWasSuppressedSinceTheLastLine() {
        for (int i = 0; i < RefusalLog.BURST + 3; i++) {
            log.println("airlock: internal error serving " + i);
        }
        log.finish();
        List<String> lines = lines();
        assertEquals(RefusalLog.BURST + 1, lines.size());
        assertEquals("airlock: suppressed 3 refused-request messages", lines.get(RefusalLog.BURST));
        // Nothing suppressed: nothing to report.
        log.finish();
        assertEquals(RefusalLog.BURST + 1, lines().size());
    }

    @Test
    void aQuietRunWritesEveryLineAndNoCount() {
        for (int i = 0; i < 100; i++) {
            log.println("line " + i);
            now.addAndGet(RefusalLog.INTERVAL_NANOS);
        }
        log.finish();
        List<String> lines = lines();
        assertEquals(100, lines.size());
        assertTrue(lines.stream().noneMatch(l -> l.contains("suppressed")), lines.toString());
    }
}
