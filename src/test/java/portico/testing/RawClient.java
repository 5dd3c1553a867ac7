package portico.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A plain socket for byte-exact requests no well-behaved client would send (smuggling shapes,
 * slow heads) and for reading exactly what came back.
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;

    private RawClient(Socket socket) {
        this.socket = socket;
    }

    public static RawClient connect(int port) {
        try {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.setSoTimeout(10_000);
            return new RawClient(s);
        } catch (IOException e) {
            throw new AssertionError("cannot connect to port " + port, e);
        }
    }

    public RawClient send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawClient send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new AssertionError("send failed", e);
        }
    }

    /** Reads one response head (and its Content-Length body, if any). */
    public RawResponse readResponse() {
        RawResponse res = readResponseHead();
        String cl = res == null ? null : res.header("content-length");
        if (cl == null) return res;
        try {
            byte[] body = socket.getInputStream().readNBytes(Integer.parseInt(cl.trim()));
            return res.withBody(new String(body, StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no response body within the socket timeout", e);
        } catch (IOException e) {
            return null;  // reset: treated as "closed without an answer"
        }
    }

    /**
     * Reads one response head and nothing after it, whatever Content-Length says: for answers to
     * HEAD, and for interim answers such as 100 Continue. Null when the connection closed first.
     */
    public RawResponse readResponseHead() {
        try {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                head.write(c);
                byte[] b = head.toByteArray();
                int n = b.length;
                if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') break;
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.isEmpty()) return null;
            return RawResponse.parseHead(text);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no response within the socket timeout", e);
        } catch (IOException e) {
            return null;  // reset: treated as "closed without an answer"
        }
    }

    /** True when the gateway closed the connection (EOF or reset) within the socket timeout. */
    public boolean closedByPeer() {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    public void soTimeout(int millis) {
        try {
            socket.setSoTimeout(millis);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closed
        }
    }
}
