package portico.upstream;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import portico.error.ErrorKind;
import portico.error.GatewayException;

/**
 * A failed attempt: what resilience records ({@link Outcome}) and what a client would be told
 * (a {@link GatewayException} naming the service, the target and the limit involved, in plain
 * words: a detail never carries an exception's own message, which speaks of syscalls and parsers).
 * One place for these messages, so the streaming relay and buffered calls say the same thing.
 */
public record Failure(Outcome outcome, GatewayException error) {
    private static final Logger log = LoggerFactory.getLogger(Failure.class);
    /** The status Netty gives a response whose status line did not parse (HttpResponseDecoder). */
    private static final int UNREADABLE_STATUS_LINE = 999;

    public static Failure connect(String service, Target target, Throwable cause) {
        String what = who(service, target);
        if (cause instanceof ConnectTimeoutException || cause instanceof TimeoutException) {
            return new Failure(Outcome.CONNECT_TIMEOUT, new GatewayException(ErrorKind.UPSTREAM_TIMEOUT,
                    what + " did not accept a connection within timeouts.connect"));
        }
        String why;
        if (cause instanceof ConnectException) {
            why = "refused the connection";
        } else if (cause instanceof UnknownHostException) {
            why = "could not be reached: its host name does not resolve";
        } else if (cause instanceof SSLException) {
            why = "could not be reached: the TLS handshake failed";
        } else {
            why = "could not be reached";
            // Not the network's doing (those are IOExceptions): worth a line, since the client's 502 says little.
            if (!(cause instanceof IOException)) log.warn("{} could not be reached", what, cause);
        }
        return new Failure(Outcome.CONNECT_ERROR, new GatewayException(ErrorKind.BAD_UPSTREAM, what + " " + why));
    }

    /** The connection closed or failed after the request went out and before a response head. */
    public static Failure reset(String service, Target target, Throwable cause) {
        String why;
        if (cause == null || mentions(cause, "broken pipe")) why = "closed the connection";
        else if (mentions(cause, "reset")) why = "reset the connection";
        else if (cause instanceof SSLException || cause.getCause() instanceof SSLException) why = "broke off the TLS session";
        else why = "broke the connection";
        return new Failure(Outcome.RESET, new GatewayException(ErrorKind.BAD_UPSTREAM,
                who(service, target) + " " + why + " before responding"));
    }

    /** A response head that did not parse: Netty's failed head, and why it failed. */
    public static Failure badResponse(String service, Target target, HttpResponse head, Throwable cause) {
        if (cause instanceof PrematureChannelClosureException) {
            return new Failure(Outcome.RESET, new GatewayException(ErrorKind.BAD_UPSTREAM,
                    who(service, target) + " closed the connection in the middle of the response head"));
        }
        boolean statusLine = head.status().code() == UNREADABLE_STATUS_LINE;
        String what;
        if (cause instanceof TooLongFrameException) {
            what = statusLine ? "a status line too long to read" : "response headers larger than "
                    + UpstreamClient.MAX_RESPONSE_HEAD_BYTES / 1024 + "KB";
        } else {
            what = statusLine ? "a malformed status line" : "malformed response headers";
        }
        return new Failure(Outcome.BAD_RESPONSE, new GatewayException(ErrorKind.BAD_UPSTREAM, who(service, target) + " sent " + what));
    }

    /** A response body whose framing (chunk sizes) did not parse, before any of it reached the client. */
    public static Failure badBody(String service, Target target) {
        return new Failure(Outcome.BAD_RESPONSE, new GatewayException(ErrorKind.BAD_UPSTREAM,
                who(service, target) + " sent a malformed response body"));
    }

    public static Failure responseTimeout(String service, Target target, long millis, String limit) {
        return new Failure(Outcome.RESPONSE_TIMEOUT, new GatewayException(ErrorKind.UPSTREAM_TIMEOUT,
                who(service, target) + " sent no response head within " + limit + " (" + millis + "ms)"));
    }

    public static Failure idle(String service, Target target, String what, long millis) {
        return new Failure(Outcome.IDLE_TIMEOUT, new GatewayException(ErrorKind.UPSTREAM_TIMEOUT,
                who(service, target) + " " + what + " for timeouts.idle (" + millis + "ms)"));
    }

    /** How every detail names its upstream: {@code service 'users' (127.0.0.1:3002)}. */
    static String who(String service, Target target) {
        return "service '" + service + "' (" + target + ")";
    }

    private static boolean mentions(Throwable t, String words) {
        return t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains(words);
    }
}
