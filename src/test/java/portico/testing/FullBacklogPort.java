package portico.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A local port where TCP connects hang: a listener with a backlog of one that never accepts, its
 * queue filled by connections of our own. Linux then drops further SYNs, so a connect neither
 * succeeds nor is refused until the connecting side gives up — a connect timeout on loopback,
 * with no unroutable address needed.
 */
public final class FullBacklogPort implements AutoCloseable {
    private static final int MAX_FILLERS = 64;

    private final ServerSocket listener;
    private final List<Socket> fillers = new ArrayList<>();

    private FullBacklogPort() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        while (fillers.size() < MAX_FILLERS) {
            Socket s = new Socket();
            try {
                s.connect(address, 200);
                fillers.add(s);
            } catch (SocketTimeoutException full) {
                s.close();
                return;
            }
        }
        close();
        throw new IllegalStateException("connects to a full backlog did not hang on this system");
    }

    public static FullBacklogPort open() {
        try {
            return new FullBacklogPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot set up a full listen backlog", e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        for (Socket s : fillers) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
