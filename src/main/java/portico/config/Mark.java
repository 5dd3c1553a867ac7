package portico.config;

/** A 1-based line and column in a config file. */
public record Mark(int line, int column) {
    public static final Mark UNKNOWN = new Mark(0, 0);

    @Override
    public String toString() {
        return line + ":" + column;
    }
}
