package portico.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The lines one class logs while a test runs, to check that a state change is logged once. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(org.slf4j.Logger source) {
        logger = (Logger) source;
        appender.start();
        logger.addAppender(appender);
    }

    public static LogCapture of(Class<?> source) {
        return new LogCapture(LoggerFactory.getLogger(source));
    }

    /** @param name the logger's name, for a class the test cannot see ({@code portico.plugin.ratelimit.RedisLink}) */
    public static LogCapture of(String name) {
        return new LogCapture(LoggerFactory.getLogger(name));
    }

    /** Formatted messages, in order. */
    public List<String> lines() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Lines containing {@code text}. */
    public List<String> lines(String text) {
        return lines().stream().filter(l -> l.contains(text)).toList();
    }

    /** The formatted messages logged at {@code level}. */
    public List<String> messages(Level level) {
        return events().stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private List<ILoggingEvent> events() {
        synchronized (appender) {  // event loops append while the test reads; appending holds this lock
            return List.copyOf(appender.list);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
