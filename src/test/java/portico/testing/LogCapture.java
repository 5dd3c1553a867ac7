package portico.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The events one logger writes while a test runs, for "logged once" checks. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        appender.start();
        logger.addAppender(appender);
    }

    /** @param name the logger's name, such as {@code portico.plugin.ratelimit.RedisLink} */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** The formatted messages logged at {@code level}. */
    public List<String> messages(Level level) {
        List<ILoggingEvent> events;
        synchronized (appender) {  // appending holds the appender's lock
            events = List.copyOf(appender.list);
        }
        return events.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
