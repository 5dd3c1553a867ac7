package portico.server;

/**
 * A data-plane address that could not be bound, said in one line a user can act on
 * ({@code cannot listen on 127.0.0.1:8080: address already in use}).
 */
public final class ListenException extends Exception {
    ListenException(String address, Throwable cause) {
        super("cannot listen on " + address + ": " + reason(cause), cause);
    }

    /**
     * The OS's reason without the transport's wording: NIO says "Address already in use", epoll
     * "bind(..) failed with error(-98): Address already in use".
     */
    private static String reason(Throwable cause) {
        String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        int colon = m.lastIndexOf(": ");
        if (colon >= 0) m = m.substring(colon + 2);
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    /** host:port, with an IPv6 host in brackets. */
    public static String address(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
