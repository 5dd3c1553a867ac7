package portico.config;

/**
 * One plugin as configured at one scope.
 *
 * @param settings the plugin's parsed settings record; null when {@code off}
 * @param off      {@code NAME: off}: disables an inherited plugin of this name
 */
public record PluginSpec(String name, Object settings, boolean off, Mark mark) {}
