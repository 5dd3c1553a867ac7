package portico.plugin.ratelimit;

/** The {@code algorithm} setting. */
public enum Algorithm {
    SLIDING_WINDOW("sliding_window", 1),
    FIXED_WINDOW("fixed_window", 2),
    TOKEN_BUCKET("token_bucket", 3);

    final String configName;
    /** The number ratelimit.lua knows it by. */
    final int code;

    Algorithm(String configName, int code) {
        this.configName = configName;
        this.code = code;
    }

    static Algorithm named(String name) {
        for (Algorithm a : values()) if (a.configName.equals(name)) return a;
        return null;
    }
}
