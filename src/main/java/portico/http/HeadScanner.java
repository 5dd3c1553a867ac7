package portico.http;

import io.netty.buffer.ByteBuf;

/**
 * Reads the raw bytes of a request head for the two shapes Netty's decoder accepts but a gateway
 * must not: obsolete line folding (RFC 9112 section 5.2; Netty unfolds it, and a server behind or
 * in front of us may not) and a request line that is not exactly {@code METHOD SP TARGET SP
 * VERSION} (Netty splits on runs of spaces and tabs; RFC 9112 section 3 has single spaces only).
 * It sees only the bytes the decoder consumed, so it knows nothing about bodies: the codec tells
 * it when the next head starts.
 */
final class HeadScanner {
    private enum State { BEFORE_REQUEST_LINE, REQUEST_LINE, LINE_START, HEADER_LINE, BODY }

    private State state = State.BEFORE_REQUEST_LINE;
    private int spaces;
    private byte previous;
    private String problem;

    /** Scans {@code buf[from, to)}; stops looking at the blank line that ends the head. */
    void scan(ByteBuf buf, int from, int to) {
        int i = from;
        while (i < to && state != State.BODY) {
            if (state == State.HEADER_LINE) {
                // Most of a head is header lines, and only their first byte matters here: jump to the
                // next line with Netty's word-at-a-time search instead of stepping byte by byte.
                int lf = buf.indexOf(i, to, (byte) '\n');
                if (lf < 0) return;
                state = State.LINE_START;
                i = lf + 1;
            } else {
                step(buf.getByte(i++));
            }
        }
    }

    private void step(byte b) {
        switch (state) {
            case BEFORE_REQUEST_LINE -> {
                // Empty lines before a request line are tolerated (RFC 9112 section 2.2); nothing else is.
                if (b == '\r' || b == '\n') return;
                state = State.REQUEST_LINE;
                spaces = 0;
                previous = 0;
                requestLineByte(b);
            }
            case REQUEST_LINE -> requestLineByte(b);
            case LINE_START -> {
                if (b == '\r') return;
                if (b == '\n') {
                    state = State.BODY;
                } else if (b == ' ' || b == '\t') {
                    fail("obsolete line folding: a header line starts with whitespace");
                    state = State.HEADER_LINE;
                } else {
                    state = State.HEADER_LINE;
                }
            }
            case HEADER_LINE -> {
                if (b == '\n') state = State.LINE_START;
            }
            case BODY -> { }
        }
    }

    private void requestLineByte(byte b) {
        if (b == '\r') return;
        if (b == '\n') {
            if (spaces != 2 || previous == ' ') fail("the request line is not 'METHOD SP TARGET SP VERSION'");
            state = State.LINE_START;
            return;
        }
        if (b == ' ') {
            if (previous == ' ' || previous == 0) fail("the request line has a run of spaces");
            spaces++;
        } else if (b == '\t' || (b >= 0 && b < 0x20) || b == 0x7f) {
            fail("the request line contains a control character or tab");
        }
        previous = b;
    }

    private void fail(String why) {
        if (problem == null) problem = why;
    }

    /** The first problem in the head just scanned, or null; cleared by the call. */
    String takeProblem() {
        String p = problem;
        problem = null;
        return p;
    }

    /** Whether bytes of a head have been consumed and its blank line has not. */
    boolean inHead() {
        return state != State.BEFORE_REQUEST_LINE && state != State.BODY;
    }

    /** The previous message ended: the next byte belongs to a new head. */
    void nextHead() {
        state = State.BEFORE_REQUEST_LINE;
        problem = null;
    }
}
