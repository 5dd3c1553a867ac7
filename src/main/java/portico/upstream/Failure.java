package portico.upstream;

import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import portico.error.ErrorKind;
import portico.error.GatewayException;

/**
 * A failed attempt: what resilience records ({@link Outcome}) and what a client would be told
 * (a {@link GatewayException} naming the service, the target and the limit involved). One place
 * for these messages, so the streaming relay and buffered calls say the same thing.
 */
public record Failure(Outcome outcome, GatewayException error) {

    public static Failure connect(String service, Target target, Throwable cause) {
        String what = "service '" + service + "' (" + target + ")";
        if (cause instanceof ConnectTimeoutException || cause instanceof TimeoutException) {
            return new Failure(Outcome.CONNECT_TIMEOUT, new GatewayException(ErrorKind.UPSTREAM_TIMEOUT,
                    what + " did not accept a connection within timeouts.connect"));
        }
        if (cause instanceof ConnectException) {
            return new Failure(Outcome.CONNECT_ERROR, new GatewayException(ErrorKind.BAD_UPSTREAM, what + " refused the connection"));
        }
        return new Failure(Outcome.CONNECT_ERROR, new GatewayException(ErrorKind.BAD_UPSTREAM,
                what + " could not be reached: " + cause.getMessage()));
    }

    /** The connection closed or failed after the request went out and before a response head. */
    public static Failure reset(String service, Target target, Throwable cause) {
        String why = cause == null ? "closed the connection" : "failed: " + cause.getMessage();
        return new Failure(Outcome.RESET, new GatewayException(ErrorKind.BAD_UPSTREAM,
                "service '" + service + "' (" + target + ") " + why + " before responding"));
    }

    public static Failure badResponse(String service, String detail) {
        return new Failure(Outcome.BAD_RESPONSE, new GatewayException(ErrorKind.BAD_UPSTREAM,
                "service '" + service + "' sent a malformed response" + (detail == null ? "" : ": " + detail)));
    }

    public static Failure responseTimeout(String service, long millis, String limit) {
        return new Failure(Outcome.RESPONSE_TIMEOUT, new GatewayException(ErrorKind.UPSTREAM_TIMEOUT,
                "service '" + service + "' sent no response head within " + limit + " (" + millis + "ms)"));
    }

    public static Failure idle(String service, Target target, String what, long millis) {
        return new Failure(Outcome.IDLE_TIMEOUT, new GatewayException(ErrorKind.UPSTREAM_TIMEOUT,
                "service '" + service + "' (" + target + ") " + what + " for timeouts.idle (" + millis + "ms)"));
    }
}
