package portico.plugin.jwt;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/** Reading a token from a cookie and removing that one cookie from what goes upstream. */
final class Cookies {
    private Cookies() {}

    /**
     * @return the value of cookie {@code name} in the request's Cookie headers, or null; the cookie
     *         is removed from {@code upstream}, the other cookies stay as sent
     */
    static String take(HttpHeaders request, HttpHeaders upstream, String name) {
        String found = null;
        for (String header : request.getAll(HttpHeaderNames.COOKIE)) {
            for (String pair : header.split(";")) {
                String p = pair.trim();
                int eq = p.indexOf('=');
                if (eq > 0 && p.substring(0, eq).trim().equals(name) && found == null) {
                    String v = p.substring(eq + 1).trim();
                    found = v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
                }
            }
        }
        if (found == null || upstream == null) return found;
        List<String> kept = new ArrayList<>();
        for (String header : upstream.getAll(HttpHeaderNames.COOKIE)) {
            for (String pair : header.split(";")) {
                String p = pair.trim();
                int eq = p.indexOf('=');
                if (p.isEmpty() || eq > 0 && p.substring(0, eq).trim().equals(name)) continue;
                kept.add(p);
            }
        }
        upstream.remove(HttpHeaderNames.COOKIE);
        if (!kept.isEmpty()) upstream.set(HttpHeaderNames.COOKIE, String.join("; ", kept));
        return found;
    }
}
