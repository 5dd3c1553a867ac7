package portico.plugin;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** What a plugin decided about a request: go on, or answer it here (a preflight, a cache hit). */
public sealed interface Verdict {
    CompletionStage<Verdict> PROCEED = CompletableFuture.completedStage(new Proceed());

    record Proceed() implements Verdict {}

    /** An answer made by the gateway; the response plugins still see its head. */
    record Respond(int status, HttpHeaders headers, byte[] body) implements Verdict {
        public static Respond of(int status) {
            return new Respond(status, new DefaultHttpHeaders(), new byte[0]);
        }
    }

    static CompletionStage<Verdict> respond(Respond r) {
        return CompletableFuture.completedStage(r);
    }
}
