package portico.config;

/** One config error or warning, printed as {@code FILE:LINE:COL: path.to.key: message}. */
public record Problem(String file, Mark mark, String path, String message, boolean warning) {

    @Override
    public String toString() {
        String where = file + ":" + mark.line() + ":" + mark.column() + ": ";
        String prefix = warning ? "warning: " : "";
        return where + prefix + (path.isEmpty() ? "" : path + ": ") + message;
    }
}
