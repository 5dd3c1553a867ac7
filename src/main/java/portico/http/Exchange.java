package portico.http;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import portico.error.ErrorKind;

/**
 * One request and its answer, owned by the client connection's event loop from the request head
 * to the last response byte. It holds no buffers: plugins and logs read it, the relay streams.
 */
public final class Exchange {
    private final HttpRequest request;
    private final EventLoop eventLoop;
    private final String requestId;
    private final String clientIp;
    private final long startNanos;
    private final String path;
    private final String rawQuery;
    private String routeName;
    private String serviceName;
    private String target;
    private int status;
    private long requestBytes;
    private long responseBytes;
    private ErrorKind error;
    private String errorDetail;
    private Identity identity;
    private java.util.List<portico.plugin.Plugin> pluginsRan = java.util.List.of();
    private java.util.Map<String, String> captures = java.util.Map.of();
    private io.netty.handler.codec.http.HttpHeaders upstreamHeaders;
    private String upstreamTarget;
    private long maxRequestBody = Long.MAX_VALUE;
    private Object[] attachments;  // owner, value, owner, value ...: a plugin or two per exchange at most

    public Exchange(HttpRequest request, EventLoop eventLoop, String requestId, String clientIp, long startNanos,
                    String path, String rawQuery) {
        this.request = request;
        this.eventLoop = eventLoop;
        this.requestId = requestId;
        this.clientIp = clientIp;
        this.startNanos = startNanos;
        this.path = path;
        this.rawQuery = rawQuery;
    }

    /** The request head as received (hop-by-hop headers and all). */
    public HttpRequest request() {
        return request;
    }

    public EventLoop eventLoop() {
        return eventLoop;
    }

    public String requestId() {
        return requestId;
    }

    public String clientIp() {
        return clientIp;
    }

    public long startNanos() {
        return startNanos;
    }

    /** The normalized request path (CONTRACT section 5). */
    public String path() {
        return path;
    }

    /** The query exactly as received, without '?', or null. */
    public String rawQuery() {
        return rawQuery;
    }

    public String routeName() {
        return routeName;
    }

    public void routed(String route, String service) {
        this.routeName = route;
        this.serviceName = service;
    }

    /** The route's {@code {name}} and regex named-group captures, raw (still percent-encoded). */
    public java.util.Map<String, String> captures() {
        return captures;
    }

    public void captures(java.util.Map<String, String> captures) {
        this.captures = captures;
    }

    /**
     * The headers that go upstream: the client's, less hop-by-hop and identity headers, plus the
     * X-Forwarded-* set. Request plugins may edit them; null before routing.
     */
    public io.netty.handler.codec.http.HttpHeaders upstreamHeaders() {
        return upstreamHeaders;
    }

    public void upstreamHeaders(io.netty.handler.codec.http.HttpHeaders headers) {
        this.upstreamHeaders = headers;
    }

    /**
     * The upstream path and query, before the target's base path is prepended (CONTRACT section 5);
     * request plugins may rewrite it. Null before routing.
     */
    public String upstreamTarget() {
        return upstreamTarget;
    }

    public void upstreamTarget(String pathAndQuery) {
        this.upstreamTarget = pathAndQuery;
    }

    /** The request body limit for this exchange: limits.max_body_bytes, lowered by request_size. */
    public long maxRequestBody() {
        return maxRequestBody;
    }

    public void maxRequestBody(long bytes) {
        this.maxRequestBody = Math.min(this.maxRequestBody, bytes);
    }

    public String serviceName() {
        return serviceName;
    }

    public String target() {
        return target;
    }

    public void target(String target) {
        this.target = target;
    }

    public int status() {
        return status;
    }

    public void status(int status) {
        this.status = status;
    }

    public long requestBytes() {
        return requestBytes;
    }

    public void addRequestBytes(long n) {
        requestBytes += n;
    }

    public long responseBytes() {
        return responseBytes;
    }

    public void addResponseBytes(long n) {
        responseBytes += n;
    }

    public ErrorKind error() {
        return error;
    }

    public String errorDetail() {
        return errorDetail;
    }

    public void failed(ErrorKind kind, String detail) {
        this.error = kind;
        this.errorDetail = detail;
    }

    /** Who the request is, once authenticated; null before (or without) authentication. */
    public Identity identity() {
        return identity;
    }

    public void identity(Identity identity) {
        this.identity = identity;
    }

    /** Plugins whose onRequest ran, in order; their onResponse runs in reverse. */
    public java.util.List<portico.plugin.Plugin> pluginsRan() {
        return pluginsRan;
    }

    public void pluginRan(portico.plugin.Plugin p) {
        if (pluginsRan.isEmpty()) pluginsRan = new java.util.ArrayList<>(4);
        pluginsRan.add(p);
    }

    /**
     * What a plugin decided in onRequest and needs again in onResponse for this exchange (the
     * permits a rate limit reserved). Keyed by the plugin instance, so plugins never see each other's.
     */
    public void attach(Object owner, Object value) {
        if (attachments == null) attachments = new Object[4];
        for (int i = 0; i < attachments.length; i += 2) {
            if (attachments[i] == null || attachments[i] == owner) {
                attachments[i] = owner;
                attachments[i + 1] = value;
                return;
            }
        }
        int at = attachments.length;
        attachments = java.util.Arrays.copyOf(attachments, at * 2);
        attachments[at] = owner;
        attachments[at + 1] = value;
    }

    /** The value {@code owner} attached to this exchange, or null. */
    public Object attachment(Object owner) {
        if (attachments == null) return null;
        for (int i = 0; i < attachments.length; i += 2) {
            if (attachments[i] == owner) return attachments[i + 1];
        }
        return null;
    }
}
