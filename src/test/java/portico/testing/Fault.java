package portico.testing;

/** Ways a {@link FakeUpstream} can misbehave, like OkHttp's SocketPolicy. */
public enum Fault {
    /** Reads the request, then resets the connection without answering. */
    RESET_BEFORE_RESPONSE,
    /** Sends a head promising 1 MB, 10 bytes of body, then resets. */
    RESET_MID_BODY,
    /** Reads the request and never answers (until the connection is closed by the other side). */
    NO_RESPONSE,
    /** Sends the status line, then stalls before the headers end. */
    SLOW_HEADERS,
    /** Sends a head promising 1 MB and 10 bytes of body, then stalls. */
    SLOW_BODY,
    /** Answers with a status line that is not HTTP. */
    GARBAGE_STATUS_LINE,
    /** Accepts the connection and closes it at once, before reading. */
    CLOSE_ON_ACCEPT
}
