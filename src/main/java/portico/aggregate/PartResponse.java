package portico.aggregate;

import io.netty.handler.codec.http.HttpHeaders;

/** A part's answer, read whole (hop-by-hop headers and all, as the service sent them). */
public record PartResponse(int status, HttpHeaders headers, byte[] body) {}
