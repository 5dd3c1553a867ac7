package portico.aggregate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import portico.config.AggregateConfig;
import portico.config.GatewayConfig;
import portico.config.RouteConfig;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.ContentCoding;
import portico.http.Exchange;
import portico.json.BodyJson;
import portico.template.ExchangeValues;
import portico.template.Template;
import portico.upstream.Service;

/**
 * An aggregate route's upstream: a fan-out. Parts without dependencies are called at once, in
 * parallel; a part that uses {@code {PART.FIELD}} is called when those parts are done, so the
 * answer takes as long as the slowest chain, not the sum. Everything runs on the exchange's event
 * loop. A failed required part answers the whole request with its error as soon as it fails; a
 * failed optional part is replaced by its default and named in {@code Portico-Degraded}.
 */
public final class AggregateDestination {

    private final String route;
    private final AggregateConfig config;
    private final List<Part> parts;
    /** Topological: every part after the parts it depends on. */
    private final List<Part> callOrder;
    /** Parents before the parts nested into them. */
    private final List<Part> placementOrder;
    private final Predicate<String> identityHeader;
    private final PartCaller caller;

    private AggregateDestination(String route, AggregateConfig config, List<Part> parts, Predicate<String> identityHeader, PartCaller caller) {
        this.route = route;
        this.config = config;
        this.parts = List.copyOf(parts);
        this.identityHeader = identityHeader;
        this.caller = caller;
        this.callOrder = topological(parts);
        List<Part> placement = new ArrayList<>(parts);
        placement.sort(Comparator.comparingInt(p -> p.placement().size()));  // stable: config order within a depth
        this.placementOrder = List.copyOf(placement);
    }

    /**
     * The aggregate routes of a revision, by route name.
     *
     * @param identityHeader whether an upstream header is one the gateway set from the identity (always forwarded)
     */
    public static Map<String, AggregateDestination> compile(GatewayConfig config, Map<String, Service> services,
                                                            Predicate<String> identityHeader, PartCaller caller) {
        Map<String, AggregateDestination> out = new HashMap<>();
        for (RouteConfig r : config.routes()) {
            if (r.aggregate() == null) continue;
            Map<String, Integer> index = new HashMap<>();
            List<AggregateConfig.Part> written = r.aggregate().parts();
            for (int i = 0; i < written.size(); i++) index.put(written.get(i).name(), i);
            List<Part> parts = new ArrayList<>();
            for (int i = 0; i < written.size(); i++) {
                AggregateConfig.Part p = written.get(i);
                Service service = services.get(p.service());
                Duration timeout = p.timeout() != null ? p.timeout() : service.timeouts().response();
                List<Integer> deps = p.dependsOn().stream().map(index::get).sorted().toList();
                parts.add(new Part(i, p, service, timeout, deps, placement(p, written, index)));
            }
            out.put(r.name(), new AggregateDestination(r.name(), r.aggregate(), parts, identityHeader, caller));
        }
        return out;
    }

    private static List<String> placement(AggregateConfig.Part p, List<AggregateConfig.Part> all, Map<String, Integer> index) {
        if (p.into() == null) return List.of(p.name());
        List<String> out = new ArrayList<>(placement(all.get(index.get(p.into().get(0))), all, index));
        out.addAll(p.into().subList(1, p.into().size()));
        return out;
    }

    private static List<Part> topological(List<Part> parts) {
        List<Part> out = new ArrayList<>();
        boolean[] placed = new boolean[parts.size()];
        while (out.size() < parts.size()) {
            for (Part p : parts) {
                if (!placed[p.index()] && p.dependsOn().stream().allMatch(d -> placed[d])) {
                    placed[p.index()] = true;
                    out.add(p);
                }
            }
        }
        return out;  // the reader refused cycles, so every pass places at least one part
    }

    public List<String> partNames() {
        return parts.stream().map(Part::name).toList();
    }

    /**
     * Calls the parts and merges their answers; completes on the exchange's event loop. Once the
     * answer is decided (a required part failed) or cancelled (the client went away), the calls
     * still in flight are cancelled, closing their connections, and no further part is called.
     */
    public CompletableFuture<AggregateAnswer> serve(Exchange ex) {
        Template.Values exchangeValues = new ExchangeValues(ex);
        HttpHeaders headers = forwardedHeaders(ex);
        @SuppressWarnings("unchecked")
        CompletableFuture<PartOutcome>[] outcomes = new CompletableFuture[parts.size()];
        CompletableFuture<AggregateAnswer> answer = new CompletableFuture<>();
        List<CompletableFuture<PartResponse>> calls = new ArrayList<>(parts.size());  // touched on the loop only
        answer.whenComplete((a, err) -> {
            for (CompletableFuture<PartResponse> c : calls) c.cancel(false);
        });
        for (Part p : callOrder) {
            CompletableFuture<PartOutcome> outcome;
            if (p.dependsOn().isEmpty()) {
                outcome = call(p, ex, exchangeValues, headers, outcomes, answer, calls);
            } else {
                CompletableFuture<?>[] deps = p.dependsOn().stream().map(d -> outcomes[d]).toArray(CompletableFuture[]::new);
                outcome = CompletableFuture.allOf(deps).thenCompose(done -> call(p, ex, exchangeValues, headers, outcomes, answer, calls));
            }
            outcomes[p.index()] = outcome;
            if (p.config().required()) {
                outcome.thenAccept(o -> {
                    if (o.ok()) return;
                    GatewayException failure = new GatewayException(o.kind(), "part '" + p.name() + "' failed: " + o.error());
                    failure.headers().add(o.errorHeaders());  // an open circuit's Retry-After, as on a plain route
                    answer.completeExceptionally(failure);
                });
            }
        }
        CompletableFuture.allOf(outcomes).whenComplete((done, err) -> {
            if (answer.isDone()) return;
            if (err != null) {
                answer.completeExceptionally(err);
                return;
            }
            try {
                answer.complete(merge(outcomes));
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    /** The identity and forwarding headers the gateway set for this request, and the configured client headers. */
    private HttpHeaders forwardedHeaders(Exchange ex) {
        HttpHeaders up = ex.upstreamHeaders();
        HttpHeaders h = new DefaultHttpHeaders();
        h.set(HttpHeaderNames.ACCEPT, "application/json");
        h.set(HttpHeaderNames.ACCEPT_ENCODING, "identity");
        for (String name : up.names()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (identityHeader.test(name) || lower.startsWith("x-forwarded-") || lower.equals("x-request-id")) {
                h.set(name, up.getAll(name));
            }
        }
        for (String name : config.forwardHeaders()) {
            List<String> values = up.getAll(name);
            if (!values.isEmpty()) h.set(name, values);
        }
        return h;
    }

    private CompletableFuture<PartOutcome> call(Part p, Exchange ex, Template.Values exchangeValues, HttpHeaders headers,
                                                CompletableFuture<PartOutcome>[] outcomes, CompletableFuture<AggregateAnswer> answer,
                                                List<CompletableFuture<PartResponse>> calls) {
        if (answer.isDone()) {
            return CompletableFuture.completedFuture(failed(p, 0, ErrorKind.BAD_UPSTREAM, "it was not called: the answer was decided first", 0));
        }
        Template.Values values = ref -> ref.kind() == Template.Ref.Kind.PART
                ? field(outcomes[indexOf(ref.part())].getNow(null), ref)
                : exchangeValues.value(ref);
        AggregateConfig.Part c = p.config();
        String path;
        StringBuilder query = new StringBuilder();
        try {
            path = c.path().fill(values, Template.Position.PATH);
            for (Template pair : c.query()) {
                String rendered;
                try {
                    rendered = pair.fill(values, Template.Position.QUERY);
                } catch (Template.Unfilled e) {
                    if (e.reason() == Template.Unfilled.Reason.MISSING) continue;  // an optional parameter this request has no value for
                    throw e;
                }
                if (!query.isEmpty()) query.append('&');
                query.append(rendered);
            }
        } catch (Template.Unfilled e) {
            // A value the client did not send (or sent as "..") is the client's mistake, not the service's.
            ErrorKind kind = e.fromRequest() ? ErrorKind.MALFORMED : ErrorKind.BAD_UPSTREAM;
            return CompletableFuture.completedFuture(failed(p, 0, kind, "it was not called: " + e.getMessage(), 0));
        }
        long start = System.nanoTime();
        PartRequest request = new PartRequest(query.isEmpty() ? path : path + "?" + query, headers, p.timeout(), config.maxPartBytes(),
                ex.clientIp());
        CompletableFuture<PartResponse> sent;
        try {
            sent = caller.call(p.service(), request, ex.eventLoop()).toCompletableFuture();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        calls.add(sent);
        return sent.handle((res, err) -> outcome(p, res, err, (System.nanoTime() - start) / 1_000_000)).toCompletableFuture();
    }

    private int indexOf(String part) {
        for (Part p : parts) if (p.name().equals(part)) return p.index();
        throw new IllegalStateException("no part " + part);  // the reader checked every reference
    }

    /** A scalar field of an earlier part's value as text; null for a missing or null field. */
    private static String field(PartOutcome o, Template.Ref ref) throws Template.Unfilled {
        if (o == null) return null;
        JsonNode at = o.value();
        for (String s : ref.name().split("\\.")) {
            if (at == null || !at.isObject()) return null;
            at = at.get(s);
        }
        if (at == null || at.isNull()) return null;
        if (!at.isValueNode()) {
            throw new Template.Unfilled(ref, Template.Unfilled.Reason.NOT_SCALAR, ref + " is not a scalar (it is "
                    + (at.isArray() ? "an array" : "an object") + ")");
        }
        return at.asText();
    }

    private PartOutcome outcome(Part p, PartResponse res, Throwable err, long millis) {
        if (err != null) {
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof GatewayException ge) return failed(p, 0, ge.kind(), ge.getMessage(), millis, ge.headers());
            return failed(p, 0, ErrorKind.BAD_UPSTREAM, "the call failed: " + cause, millis);
        }
        String service = "service '" + p.service().name() + "'";
        int status = res.status();
        if ((status < 200 || status > 299) && !p.config().accept().contains(status)) {
            return failed(p, status, ErrorKind.BAD_UPSTREAM, service + " answered " + status, millis);
        }
        String type = res.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (res.body().length == 0) {
            // 204 says there is no content, so null is its value; any other empty body is not JSON.
            if (status == 204) return new PartOutcome(p, NullNode.getInstance(), status, millis);
            return failed(p, status, ErrorKind.BAD_UPSTREAM, service + " answered " + status + " with an empty body, which is not JSON", millis);
        }
        if (type != null && !isJson(type)) {
            return failed(p, status, ErrorKind.BAD_UPSTREAM, service + " answered " + type + ", not JSON", millis);
        }
        ContentCoding coding = ContentCoding.of(res.headers().get(HttpHeaderNames.CONTENT_ENCODING));
        if (coding == null) {
            return failed(p, status, ErrorKind.BAD_UPSTREAM, service + " answered in a Content-Encoding the gateway cannot decode", millis);
        }
        try {
            JsonNode value = BodyJson.read(coding.decode(res.body(), config.maxPartBytes()));
            return new PartOutcome(p, value == null || value.isMissingNode() ? NullNode.getInstance() : value, status, millis);
        } catch (ContentCoding.TooLarge e) {
            return failed(p, status, ErrorKind.BAD_UPSTREAM, service + " answered with more than max_part_bytes once decoded", millis);
        } catch (IOException e) {
            return failed(p, status, ErrorKind.BAD_UPSTREAM, service + " answered with a body that is not valid JSON", millis);
        }
    }

    private static PartOutcome failed(Part p, int status, ErrorKind kind, String error, long millis) {
        return failed(p, status, kind, error, millis, EmptyHttpHeaders.INSTANCE);
    }

    private static PartOutcome failed(Part p, int status, ErrorKind kind, String error, long millis, HttpHeaders headers) {
        // A copy: parts nested into it must not change the config's default for the next request.
        return new PartOutcome(p, p.config().defaultValue().deepCopy(), status, kind, error, millis, headers);
    }

    private static boolean isJson(String contentType) {
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json") || type.equals("text/json");
    }

    /** One object: each part at its place (its name, or inside the part it goes into), then {@code _meta}. */
    private AggregateAnswer merge(CompletableFuture<PartOutcome>[] outcomes) {
        ObjectNode root = BodyJson.NODES.objectNode();
        Map<String, String> unplaced = new LinkedHashMap<>();
        for (Part p : placementOrder) {
            PartOutcome o = outcomes[p.index()].getNow(null);
            List<String> at = p.placement();
            if (at.size() == 1) {
                root.set(p.name(), o.value());
                continue;
            }
            ObjectNode container = root;
            for (int i = 0; i < at.size() - 1 && container != null; i++) {
                JsonNode next = container.get(at.get(i));
                // Fields missing inside a part's object are made; the part itself must be an object.
                if ((next == null || next.isNull()) && i > 0) next = container.putObject(at.get(i));
                container = next instanceof ObjectNode obj ? obj : null;
            }
            if (container == null) {
                String why = "its place " + String.join(".", at) + " is not inside a JSON object";
                if (p.config().required()) throw new GatewayException(ErrorKind.BAD_UPSTREAM, "part '" + p.name() + "' failed: " + why);
                unplaced.put(p.name(), why);
                continue;
            }
            container.set(at.get(at.size() - 1), o.value());
        }
        List<String> degraded = new ArrayList<>();
        for (Part p : parts) {
            if (!outcomes[p.index()].getNow(null).ok() || unplaced.containsKey(p.name())) degraded.add(p.name());
        }
        if (config.meta()) root.set("_meta", meta(outcomes, unplaced));
        try {
            return new AggregateAnswer(BodyJson.write(root), List.copyOf(degraded));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the answer of route " + route, e);
        }
    }

    private ObjectNode meta(CompletableFuture<PartOutcome>[] outcomes, Map<String, String> unplaced) {
        ObjectNode meta = BodyJson.NODES.objectNode();
        for (Part p : parts) {
            PartOutcome o = outcomes[p.index()].getNow(null);
            ObjectNode m = meta.putObject(p.name());
            if (o.status() > 0) m.put("status", o.status());
            else m.putNull("status");
            m.put("latency_ms", o.millis());
            boolean degraded = !o.ok() || unplaced.containsKey(p.name());
            m.put("degraded", degraded);
            if (!o.ok()) m.put("error", o.error());
            else if (unplaced.containsKey(p.name())) m.put("error", unplaced.get(p.name()));
        }
        return meta;
    }
}
