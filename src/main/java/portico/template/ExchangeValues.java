package portico.template;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import portico.http.Exchange;
import portico.http.Identity;

/**
 * The template values of one exchange. {@code {header.NAME}} reads the headers as they go upstream,
 * not as the client sent them: client-sent identity headers are gone by then (CONTRACT section 5),
 * so a template can never pass on a forged {@code X-Consumer-Name}.
 */
public final class ExchangeValues implements Template.Values {
    private final Exchange ex;
    private Map<String, List<String>> query;

    public ExchangeValues(Exchange ex) {
        this.ex = ex;
    }

    @Override
    public String value(Template.Ref ref) throws Template.Unfilled {
        return switch (ref.kind()) {
            case CAPTURE -> {
                String raw = ex.captures().get(ref.name());
                yield raw == null ? null : Percent.decode(raw);
            }
            case QUERY -> {
                List<String> values = query().get(ref.name());
                yield values == null || values.isEmpty() ? null : values.get(0);
            }
            case HEADER -> {
                HttpHeaders h = ex.upstreamHeaders() != null ? ex.upstreamHeaders() : ex.request().headers();
                yield text(h.get(ref.name()));
            }
            case CONSUMER -> {
                Identity who = ex.identity();
                yield who == null ? null : who.consumer();
            }
            case CLAIM -> {
                Identity who = ex.identity();
                Object v = who == null ? null : who.claims().get(ref.name());
                if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) yield v == null ? null : v.toString();
                throw new Template.Unfilled(ref, Template.Unfilled.Reason.NOT_SCALAR, ref + " is not a scalar (it is a list or an object)");
            }
            case PART -> null;
        };
    }

    /**
     * A header value as text: the parser hands each byte over as one char (ISO-8859-1); bytes
     * that are valid UTF-8 are read as UTF-8, so {@code é} sent as UTF-8 is one character again.
     */
    private static String text(String raw) {
        if (raw == null) return null;
        boolean ascii = true;
        for (int i = 0; i < raw.length() && ascii; i++) ascii = raw.charAt(i) < 0x80;
        if (ascii) return raw;
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            return raw;
        }
    }

    private Map<String, List<String>> query() {
        if (query == null) {
            query = ex.rawQuery() == null || ex.rawQuery().isEmpty() ? Map.of()
                    : new QueryStringDecoder(ex.rawQuery(), false).parameters();
        }
        return query;
    }
}
