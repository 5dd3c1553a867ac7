package portico.upstream;

import java.util.BitSet;
import java.util.List;

/**
 * A set of outcomes as the config writes them: {@code connect_error} (refused, unreachable or
 * connect timeout), {@code reset} (closed, reset or malformed before a response head),
 * {@code timeout} (response or idle timeout), statuses ({@code 503}) and classes ({@code 5xx}).
 * Used for {@code retries.on}, {@code circuit_breaker.failures} and {@code health_check.statuses}.
 */
public final class OutcomeFilter {
    private final boolean connectError;
    private final boolean reset;
    private final boolean timeout;
    private final BitSet statuses = new BitSet(600);

    private OutcomeFilter(List<String> tokens) {
        boolean c = false;
        boolean r = false;
        boolean t = false;
        for (String token : tokens) {
            switch (token) {
                case "connect_error" -> c = true;
                case "reset" -> r = true;
                case "timeout" -> t = true;
                default -> {
                    if (token.endsWith("xx")) {
                        int base = (token.charAt(0) - '0') * 100;
                        statuses.set(base, base + 100);
                    } else {
                        statuses.set(Integer.parseInt(token));
                    }
                }
            }
        }
        connectError = c;
        reset = r;
        timeout = t;
    }

    /** @param tokens validated by the config reader */
    public static OutcomeFilter of(List<String> tokens) {
        return new OutcomeFilter(tokens);
    }

    public boolean matches(Outcome o) {
        return switch (o.kind()) {
            case RESPONSE -> matchesStatus(o.status());
            case CONNECT_ERROR, CONNECT_TIMEOUT -> connectError;
            case RESET, BAD_RESPONSE -> reset;
            case RESPONSE_TIMEOUT, IDLE_TIMEOUT -> timeout;
            case CANCELLED -> false;
        };
    }

    public boolean matchesStatus(int status) {
        return status >= 0 && status < 600 && statuses.get(status);
    }
}
