package portico.aggregate;

import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;

/**
 * One part's upstream call.
 *
 * @param pathAndQuery before the target's base path, already percent-encoded
 * @param headers      what to send besides Host, which the caller sets per target
 * @param timeout      for the whole call: connect, response head and body
 * @param maxBytes     the largest body read; past it the call fails
 * @param clientIp     the client's address, for {@code balance: hash(ip)}
 */
public record PartRequest(String pathAndQuery, HttpHeaders headers, Duration timeout, long maxBytes, String clientIp) {}
