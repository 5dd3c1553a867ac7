package portico.route;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import portico.config.MatchConfig;
import portico.config.Problems;
import portico.config.RouteConfig;

/**
 * The routes of one config revision, compiled for matching. Immutable: safe to share across event
 * loops and to keep while a newer revision is compiled.
 *
 * <p>Precedence is by specificity, never by file order (which only breaks the last tie); the rule
 * is {@link #PRECEDENCE} and docs/routing.md. In short: exact host, then wildcard host (longer
 * suffix first), then no host; within that, literal patterns (compared segment by segment: a
 * literal beats a capture, a longer pattern beats its prefix, exact beats prefix) before regexes;
 * then more conditions (methods, headers, query) first; then file order.
 *
 * <p>Matching does not try every route: literal patterns sit in a segment trie per host, walked
 * once in precedence order; only regexes of the request's host classes are tried one by one.
 */
public final class RouteTable {
    private static final int EXACT_HOST = 0;
    private static final int WILDCARD_HOST = 1;
    private static final int ANY_HOST = 2;

    private final List<RouteConfig> order;
    private final Map<RouteConfig, List<PathPattern>> patterns;
    private final Map<String, HostTable> exactHosts;
    /** ".example.com" for {@code *.example.com}, longest first, aligned with wildcardTables. */
    private final String[] wildcardSuffixes;
    private final HostTable[] wildcardTables;
    private final HostTable anyHost;

    private RouteTable(List<Entry> sorted, Map<RouteConfig, List<PathPattern>> patterns) {
        this.patterns = patterns;
        Set<RouteConfig> seen = new LinkedHashSet<>();
        Map<String, HostTable> exact = new HashMap<>();
        Map<String, HostTable> wild = new LinkedHashMap<>();  // insertion follows PRECEDENCE: longest first
        HostTable any = new HostTable();
        for (Entry e : sorted) {
            seen.add(e.route);
            HostTable t = switch (e.hostClass) {
                case EXACT_HOST -> exact.computeIfAbsent(e.host, h -> new HostTable());
                case WILDCARD_HOST -> wild.computeIfAbsent(e.host, h -> new HostTable());
                default -> any;
            };
            t.add(e);
        }
        exact.values().forEach(HostTable::freeze);
        wild.values().forEach(HostTable::freeze);
        any.freeze();
        this.order = List.copyOf(seen);
        this.exactHosts = Map.copyOf(exact);
        this.wildcardSuffixes = wild.keySet().stream().map(s -> "." + s).toArray(String[]::new);
        this.wildcardTables = wild.values().toArray(new HostTable[0]);
        this.anyHost = any;
    }

    /**
     * @param routes validated routes ({@link #validate} reports bad patterns with their location)
     * @throws IllegalStateException when a path pattern does not compile
     */
    public static RouteTable compile(List<RouteConfig> routes) {
        List<Entry> entries = new ArrayList<>();
        Map<RouteConfig, List<PathPattern>> patterns = new HashMap<>();
        for (RouteConfig r : routes) {
            List<PathPattern> compiled = new ArrayList<>();
            for (String p : pathsOf(r.match())) {
                try {
                    compiled.add(PathPattern.compile(p));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("route '" + r.name() + "': " + e.getMessage(), e);
                }
            }
            patterns.put(r, List.copyOf(compiled));
            entries.addAll(entries(r, compiled));
        }
        entries.sort(PRECEDENCE);
        return new RouteTable(entries, Map.copyOf(patterns));
    }

    /**
     * Reports what {@link #compile} would refuse (as errors on {@code routes[i].match.paths[j]}) and
     * routes that can never match (as warnings naming the route that takes their requests): one
     * fully shadowed by another that matches everything it does and takes precedence, including
     * identical duplicates.
     */
    public static void validate(List<RouteConfig> routes, Problems problems) {
        List<Entry> entries = new ArrayList<>();
        for (RouteConfig r : routes) {
            List<PathPattern> compiled = new ArrayList<>();
            List<String> paths = r.match().paths();
            for (int j = 0; j < paths.size(); j++) {
                try {
                    compiled.add(PathPattern.compile(paths.get(j)));
                } catch (IllegalArgumentException e) {
                    problems.error(r.mark(), "routes[" + r.index() + "].match.paths[" + j + "]", e.getMessage());
                }
            }
            if (compiled.size() == paths.size()) {
                if (compiled.isEmpty()) compiled.add(PathPattern.compile("/"));
                entries.addAll(entries(r, compiled));
            }
        }
        entries.sort(PRECEDENCE);
        Map<RouteConfig, Set<RouteConfig>> shadowedBy = new LinkedHashMap<>();
        Set<RouteConfig> reachable = new HashSet<>();
        Set<RouteConfig> regexBehindLiteral = new HashSet<>();
        int group = 0;  // entries of one host sit together in PRECEDENCE order; only they can cover each other
        for (int i = 0; i < entries.size(); i++) {
            Entry b = entries.get(i);
            if (b.hostClass != entries.get(group).hostClass || !Objects.equals(b.host, entries.get(group).host)) group = i;
            Entry winner = null;
            for (int j = group; j < i && winner == null; j++) {
                Entry a = entries.get(j);
                if (a.route != b.route && a.covers(b)) winner = a;
            }
            if (winner == null) {
                reachable.add(b.route);
            } else {
                shadowedBy.computeIfAbsent(b.route, k -> new LinkedHashSet<>()).add(winner.route);
                if (b.pattern.isRegex() && !winner.pattern.isRegex()) regexBehindLiteral.add(b.route);
            }
        }
        for (RouteConfig r : routes) {
            Set<RouteConfig> winners = shadowedBy.get(r);
            if (winners == null || reachable.contains(r)) continue;
            String at = "routes[" + r.index() + "]";
            RouteConfig first = winners.iterator().next();
            if (winners.size() == 1 && sameMatch(first, r)) {
                problems.warning(r.mark(), at, "route '" + r.name() + "' has the same match as route '" + first.name()
                        + "', which comes first in the file; this one never matches");
                continue;
            }
            String names = winners.stream().map(w -> "'" + w.name() + "'").collect(Collectors.joining(" and "));
            String hint = regexBehindLiteral.contains(r) ? " (regex paths are tried after literal paths)" : "";
            problems.warning(r.mark(), at, "route '" + r.name() + "' never matches: " + (winners.size() == 1 ? "route " : "routes ")
                    + names + " match" + (winners.size() == 1 ? "es" : "") + " every request it does and take"
                    + (winners.size() == 1 ? "s" : "") + " precedence" + hint);
        }
    }

    /**
     * Decides where a request goes. Called on an event loop for every request; allocates little
     * (the result, and the capture map when the route has captures).
     */
    public RouteMatch match(RequestFacts req) {
        Lookup l = lookup(req);
        if (l.winner != null) {
            PathPattern.Match m = l.winner.pattern.match(l.path);
            return new RouteMatch.Found(l.winner.route, m.captures(), m.matchedPrefix(), m.remainder());
        }
        return l.allowed == null ? RouteMatch.NOT_FOUND : new RouteMatch.MethodNotAllowed(l.allowed);
    }

    /** Every route once, in the order matching considers them (by its most specific host and path). */
    public List<RouteConfig> inMatchOrder() {
        return order;
    }

    /** For {@code portico explain}: each route in match order, whether it matched and why not. */
    public Explanation explain(RequestFacts req) {
        Lookup l = lookup(req);
        int width = order.stream().mapToInt(r -> r.name().length()).max().orElse(0);
        List<String> lines = new ArrayList<>();
        for (RouteConfig r : order) {
            String verdict;
            if (l.winner != null && l.winner.route == r) {
                PathPattern.Match m = l.winner.pattern.match(l.path);
                verdict = "MATCHES (" + (l.winner.host == null ? "" : "host " + hostText(l.winner) + ", ")
                        + "path " + l.winner.pattern.text()
                        + (m.captures().isEmpty() ? "" : ", " + m.captures().entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")))
                        + ") and wins";
            } else {
                String why = whyNot(r, l);
                verdict = why != null ? "no: " + why
                        : l.winner != null ? "matches too, but route '" + l.winner.route.name() + "' takes precedence"
                        : "matches";
            }
            lines.add(String.format("%-" + Math.max(width, 1) + "s  %s", r.name(), verdict));
        }
        if (l.winner != null) {
            lines.add("=> route '" + l.winner.route.name() + "'");
        } else if (l.allowed != null) {
            lines.add("=> 405 method not allowed (Allow: " + String.join(", ", new TreeSet<>(l.allowed)) + ")");
        } else {
            lines.add("=> 404 no route");
        }
        return new Explanation(Optional.ofNullable(l.winner).map(e -> e.route), lines);
    }

    private Lookup lookup(RequestFacts req) {
        Lookup l = new Lookup(req);
        String host = l.host;
        if (host != null) {
            HostTable t = exactHosts.get(host);
            if (t != null && t.search(l)) return l;
            for (int i = 0; i < wildcardSuffixes.length; i++) {
                String s = wildcardSuffixes[i];
                if (host.length() > s.length() && host.endsWith(s) && wildcardTables[i].search(l)) return l;
            }
        }
        anyHost.search(l);
        return l;
    }

    /** The first condition the route fails, in the order host, path, method, header, query; null if none. */
    private String whyNot(RouteConfig r, Lookup l) {
        MatchConfig m = r.match();
        if (!m.hosts().isEmpty() && m.hosts().stream().noneMatch(h -> hostMatches(h, l.host))) {
            return "host " + (l.host == null ? "(none)" : l.host) + " is not " + String.join(" or ", m.hosts());
        }
        List<PathPattern> ps = patterns.get(r);
        if (ps.stream().noneMatch(p -> p.matchedLength(l.path) >= 0)) {
            return "path " + l.path + " does not match " + ps.stream().map(PathPattern::text).collect(Collectors.joining(" or "));
        }
        if (!m.methods().isEmpty() && !m.methods().contains(l.method)) {
            return "method " + l.method + " is not " + String.join(" or ", new TreeSet<>(m.methods()));
        }
        for (Map.Entry<String, String> h : new TreeMap<>(m.headers()).entrySet()) {
            if (l.headers == null || !l.headers.contains(h.getKey(), h.getValue(), false)) {
                List<String> sent = l.headers == null ? List.of() : l.headers.getAll(h.getKey());
                return "header " + h.getKey() + " is not \"" + h.getValue() + "\" ("
                        + (sent.isEmpty() ? "absent" : "was \"" + String.join("\", \"", sent) + "\"") + ")";
            }
        }
        for (Map.Entry<String, String> q : new TreeMap<>(m.query()).entrySet()) {
            List<String> sent = l.query == null ? null : l.query.get(q.getKey());
            if (sent == null || !sent.contains(q.getValue())) {
                return "query " + q.getKey() + " is not \"" + q.getValue() + "\" ("
                        + (sent == null || sent.isEmpty() ? "absent" : "was \"" + String.join("\", \"", sent) + "\"") + ")";
            }
        }
        return null;
    }

    private static boolean hostMatches(String pattern, String host) {
        if (host == null) return false;
        if (!pattern.startsWith("*.")) return pattern.equals(host);
        String suffix = pattern.substring(1);
        return host.length() > suffix.length() && host.endsWith(suffix);
    }

    private static String hostText(Entry e) {
        return e.hostClass == WILDCARD_HOST ? "*." + e.host : e.host;
    }

    private static List<String> pathsOf(MatchConfig m) {
        return m.paths().isEmpty() ? List.of("/") : m.paths();
    }

    private static boolean sameMatch(RouteConfig a, RouteConfig b) {
        MatchConfig x = a.match();
        MatchConfig y = b.match();
        if (!Set.copyOf(x.hosts()).equals(Set.copyOf(y.hosts())) || !x.methods().equals(y.methods())
                || !x.headers().equals(y.headers()) || !x.query().equals(y.query())) {
            return false;
        }
        List<PathPattern> px = pathsOf(x).stream().map(PathPattern::compile).toList();
        List<PathPattern> py = pathsOf(y).stream().map(PathPattern::compile).toList();
        return px.stream().allMatch(p -> py.stream().anyMatch(p::sameShape))
                && py.stream().allMatch(p -> px.stream().anyMatch(p::sameShape));
    }

    private static List<Entry> entries(RouteConfig r, List<PathPattern> compiled) {
        List<Entry> out = new ArrayList<>();
        List<String> hosts = r.match().hosts().isEmpty() ? Collections.singletonList(null) : r.match().hosts();
        for (String host : hosts) {
            for (int j = 0; j < compiled.size(); j++) out.add(new Entry(r, compiled.get(j), j, host));
        }
        return out;
    }

    /**
     * The precedence rule. Only pairs that can match the same request need an order; the others are
     * ordered anyway so that {@code portico routes} is stable.
     */
    static final Comparator<Entry> PRECEDENCE = (a, b) -> {
        int c = Integer.compare(a.hostClass, b.hostClass);
        if (c != 0) return c;
        if (a.hostClass == WILDCARD_HOST) {
            c = Integer.compare(b.host.length(), a.host.length());
            if (c != 0) return c;
        }
        if (a.host != null) {
            c = a.host.compareTo(b.host);
            if (c != 0) return c;
        }
        c = comparePaths(a.pattern, b.pattern);
        if (c != 0) return c;
        c = Integer.compare(b.conditions, a.conditions);
        if (c != 0) return c;
        c = Integer.compare(a.route.index(), b.route.index());
        if (c != 0) return c;
        return Integer.compare(a.pathIndex, b.pathIndex);
    };

    /**
     * Literal before regex. Literal patterns segment by segment, left to right: a literal segment
     * before a capture, either before "no more segments" (so a longer pattern comes before its own
     * prefix); same shape: exact before prefix. Regexes have no specificity among themselves.
     */
    private static int comparePaths(PathPattern a, PathPattern b) {
        if (a.isRegex() != b.isRegex()) return a.isRegex() ? 1 : -1;
        if (a.isRegex()) return 0;
        int n = Math.max(a.segmentCount(), b.segmentCount());
        for (int i = 0; i < n; i++) {
            int ka = kind(a, i);
            int kb = kind(b, i);
            if (ka != kb) return Integer.compare(ka, kb);
            if (ka == 0) {
                int c = a.literal(i).compareTo(b.literal(i));  // never both match: any stable order
                if (c != 0) return c;
            }
        }
        return Boolean.compare(b.isExact(), a.isExact());
    }

    /** 0 literal, 1 capture, 2 past the pattern's end. */
    private static int kind(PathPattern p, int i) {
        if (i >= p.segmentCount()) return 2;
        return p.literal(i) != null ? 0 : 1;
    }

    /** One (host, path) of a route: the unit of precedence. */
    static final class Entry {
        final RouteConfig route;
        final PathPattern pattern;
        final int pathIndex;
        final int hostClass;
        /** The exact host, the wildcard's suffix without "*.", or null. */
        final String host;
        final int conditions;
        final Set<String> methods;
        final String[] headerNames;
        final String[] headerValues;
        final String[] queryNames;
        final String[] queryValues;

        Entry(RouteConfig route, PathPattern pattern, int pathIndex, String host) {
            this.route = route;
            this.pattern = pattern;
            this.pathIndex = pathIndex;
            if (host == null) {
                this.hostClass = ANY_HOST;
                this.host = null;
            } else if (host.startsWith("*.")) {
                this.hostClass = WILDCARD_HOST;
                this.host = host.substring(2);
            } else {
                this.hostClass = EXACT_HOST;
                this.host = host;
            }
            MatchConfig m = route.match();
            this.methods = m.methods();
            this.headerNames = m.headers().keySet().toArray(new String[0]);
            this.headerValues = new String[headerNames.length];
            for (int i = 0; i < headerNames.length; i++) headerValues[i] = m.headers().get(headerNames[i]);
            this.queryNames = m.query().keySet().toArray(new String[0]);
            this.queryValues = new String[queryNames.length];
            for (int i = 0; i < queryNames.length; i++) queryValues[i] = m.query().get(queryNames[i]);
            this.conditions = (methods.isEmpty() ? 0 : 1) + headerNames.length + queryNames.length;
        }

        /** Headers and query; the method is judged apart because a method miss can mean 405. */
        boolean conditionsHold(Lookup l) {
            for (int i = 0; i < headerNames.length; i++) {
                if (l.headers == null || !l.headers.contains(headerNames[i], headerValues[i], false)) return false;
            }
            for (int i = 0; i < queryNames.length; i++) {
                List<String> values = l.query == null ? null : l.query.get(queryNames[i]);
                if (values == null || !values.contains(queryValues[i])) return false;
            }
            return true;
        }

        /** True when this entry takes every request {@code other} would. */
        boolean covers(Entry other) {
            MatchConfig mine = route.match();
            MatchConfig theirs = other.route.match();
            return hostClass == other.hostClass && Objects.equals(host, other.host)
                    && other.pattern.coveredBy(pattern)
                    && (methods.isEmpty() || !other.methods.isEmpty() && methods.containsAll(other.methods))
                    && theirs.headers().entrySet().containsAll(mine.headers().entrySet())
                    && theirs.query().entrySet().containsAll(mine.query().entrySet());
        }
    }

    /** The routes of one host (or host class): literal patterns in a trie, then regexes in order. */
    private static final class HostTable {
        private final Node root = new Node();
        private final List<Entry> regexList = new ArrayList<>();
        private Entry[] regexes;

        /** Entries arrive in PRECEDENCE order, so every list below is in precedence order too. */
        void add(Entry e) {
            if (e.pattern.isRegex()) {
                regexList.add(e);
                return;
            }
            Node n = root;
            PathPattern p = e.pattern;
            for (int i = 0; i < p.segmentCount(); i++) {
                String lit = p.literal(i);
                n = lit != null ? n.literalChild(lit) : n.captureChild();
            }
            (p.isExact() ? n.exactList : n.prefixList).add(e);
        }

        void freeze() {
            root.freeze();
            regexes = regexList.toArray(new Entry[0]);
        }

        boolean search(Lookup l) {
            if (walk(root, 1, l)) return true;
            for (Entry e : regexes) {
                if (e.conditionsHold(l) && e.pattern.matchedLength(l.path) >= 0 && l.decide(e)) return true;
            }
            return false;
        }

        /**
         * Depth first, literal child before capture child, children before this node's own
         * entries: that visits matching entries in PRECEDENCE order, so the first taker wins.
         *
         * @param pos where the next path segment starts; -1 once the path is consumed
         */
        private static boolean walk(Node n, int pos, Lookup l) {
            if (pos >= 0) {
                String path = l.path;
                int end = path.indexOf('/', pos);
                if (end < 0) end = path.length();
                int next = end < path.length() ? end + 1 : -1;
                Node lit = n.child(path, pos, end);
                if (lit != null && walk(lit, next, l)) return true;
                if (n.capture != null && end > pos && walk(n.capture, next, l)) return true;
            } else {
                for (Entry e : n.exact) {
                    if (e.conditionsHold(l) && l.decide(e)) return true;
                }
            }
            for (Entry e : n.prefix) {
                if (e.conditionsHold(l) && l.decide(e)) return true;
            }
            return false;
        }
    }

    /**
     * A trie node: one path segment. Built by the constructor and never changed after; the
     * RouteTable's final fields publish it safely to other threads.
     */
    private static final class Node {
        private static final String[] NO_KEYS = new String[0];
        private static final Node[] NO_NODES = new Node[0];
        private static final Entry[] NO_ENTRIES = new Entry[0];

        private Map<String, Node> building = new LinkedHashMap<>();
        final List<Entry> exactList = new ArrayList<>();
        final List<Entry> prefixList = new ArrayList<>();
        /** Open addressing keyed by segment text, so a lookup needs no substring. */
        private String[] keys = NO_KEYS;
        private Node[] children = NO_NODES;
        Node capture;
        Entry[] exact = NO_ENTRIES;
        Entry[] prefix = NO_ENTRIES;

        Node literalChild(String segment) {
            return building.computeIfAbsent(segment, s -> new Node());
        }

        Node captureChild() {
            if (capture == null) capture = new Node();
            return capture;
        }

        void freeze() {
            if (!building.isEmpty()) {
                int size = Integer.highestOneBit(building.size() * 2 - 1) << 1;
                keys = new String[size];
                children = new Node[size];
                for (Map.Entry<String, Node> e : building.entrySet()) {
                    int slot = spread(e.getKey().hashCode()) & (size - 1);
                    while (keys[slot] != null) slot = (slot + 1) & (size - 1);
                    keys[slot] = e.getKey();
                    children[slot] = e.getValue();
                    e.getValue().freeze();
                }
            }
            building = null;
            if (capture != null) capture.freeze();
            exact = exactList.toArray(NO_ENTRIES);
            prefix = prefixList.toArray(NO_ENTRIES);
        }

        Node child(String path, int from, int to) {
            if (keys.length == 0) return null;
            int h = 0;
            for (int i = from; i < to; i++) h = 31 * h + path.charAt(i);  // String.hashCode of the segment
            int len = to - from;
            int mask = keys.length - 1;
            for (int slot = spread(h) & mask; keys[slot] != null; slot = (slot + 1) & mask) {
                String k = keys[slot];
                if (k.length() == len && path.regionMatches(from, k, 0, len)) return children[slot];
            }
            return null;
        }

        private static int spread(int h) {
            return h ^ (h >>> 16);
        }
    }

    /** One request's walk: its facts, the winner once found, and the methods a 405 would allow. */
    private static final class Lookup {
        final String method;
        final String host;
        final String path;
        final HttpHeaders headers;
        final Map<String, List<String>> query;
        Entry winner;
        Set<String> allowed;

        Lookup(RequestFacts req) {
            String h = req.host();
            // "example.com." names the same host (RFC 1034 section 3.1)
            if (h != null && h.endsWith(".")) h = h.substring(0, h.length() - 1);
            this.method = req.method();
            this.host = h == null || h.isEmpty() ? null : h;
            this.path = req.path();
            this.headers = req.headers();
            this.query = req.query();
        }

        /** Called for an entry whose host, path, headers and query matched. */
        boolean decide(Entry e) {
            if (e.methods.isEmpty() || e.methods.contains(method)) {
                winner = e;
                return true;
            }
            if (allowed == null) allowed = new HashSet<>();
            allowed.addAll(e.methods);
            return false;
        }
    }
}
