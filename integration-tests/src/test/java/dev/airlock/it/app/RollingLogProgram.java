package dev.airlock.it.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import org.slf4j.LoggerFactory;

/**
 * An ordinary program logging through SLF4J to logback's {@link RollingFileAppender} in the
 * directory it is given, with a fixed window of three gzip-compressed old files: it logs and rolls
 * over five times (so logback renames, compresses and deletes files), prints every warning or
 * error logback recorded (logback reports its own failures only there), and lists the files with
 * the lines they hold.
 */
public final class RollingLogProgram {
    private RollingLogProgram() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();

        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("rolling");
        appender.setFile(dir.resolve("app.log").toString());

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(dir.resolve("app.%i.log.gz").toString());
        rolling.setMinIndex(1);
        rolling.setMaxIndex(3);
        rolling.start();

        // Never reached: the program rolls over itself, so where a roll happens does not depend on timing.
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(FileSize.valueOf("10MB"));
        trigger.start();

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %logger{0} [%thread] %msg%n");
        encoder.start();

        appender.setEncoder(encoder);
        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);

        org.slf4j.Logger log = LoggerFactory.getLogger(RollingLogProgram.class);
        for (int round = 1; round <= 6; round++) {
            for (int i = 1; i <= 40; i++) {
                log.info("round {} message {}", round, i);
            }
            log.debug("not logged");
            log.warn("round {} done", round);
            if (round < 6) {
                appender.rollover();
            }
        }
        context.stop();

        for (Status status : context.getStatusManager().getCopyOfStatusList()) {
            if (status.getEffectiveLevel() >= Status.WARN) {
                System.out.println("status " + status.getLevel() + " " + status.getMessage() + " "
                        + (status.getThrowable() == null ? "" : status.getThrowable()));
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                byte[] content;
                try (InputStream in = file.toString().endsWith(".gz")
                        ? new GZIPInputStream(Files.newInputStream(file))
                        : Files.newInputStream(file)) {
                    content = in.readAllBytes();
                }
                List<String> lines =
                        new String(content, StandardCharsets.UTF_8).lines().toList();
                CRC32 crc = new CRC32();
                crc.update(content);
                System.out.println("file " + dir.relativize(file) + " lines " + lines.size() + " first " + lines.get(0)
                        + " last " + lines.get(lines.size() - 1) + " crc " + Long.toHexString(crc.getValue()));
            }
        }
    }
}
