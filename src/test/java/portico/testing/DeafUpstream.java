package portico.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An upstream that accepts connections and never reads from them: once the socket buffers are
 * full, a request body sent to it can make no progress. {@link FakeUpstream} always reads a whole
 * request before answering, so it cannot play this.
 */
public final class DeafUpstream implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    private DeafUpstream() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "deaf-upstream");
        t.setDaemon(true);
        t.start();
    }

    public static DeafUpstream start() {
        try {
            return new DeafUpstream();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start deaf upstream", e);
        }
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket s = listener.accept();
                s.setReceiveBufferSize(64 * 1024);
                accepted.add(s);
            }
        } catch (IOException e) {
            // closed
        }
    }

    public String url() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    public int connectionCount() {
        return accepted.size();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : accepted) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
