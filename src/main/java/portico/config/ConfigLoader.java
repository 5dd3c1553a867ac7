package portico.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** File → interpolated text → located YAML tree → frozen {@link GatewayConfig}, or every error at once. */
public final class ConfigLoader {
    private final Function<String, String> env;

    public ConfigLoader(Map<String, String> env) {
        this.env = env::get;
    }

    public static ConfigLoader fromEnvironment() {
        return new ConfigLoader(System.getenv());
    }

    /** The result of a read: a config when there were no errors, and the problems (warnings too). */
    public record Result(GatewayConfig config, Problems problems, Set<String> declaredKeys) {
        public GatewayConfig orThrow() throws ConfigException {
            if (config == null || problems.hasErrors()) throw new ConfigException(problems.errors());
            return config;
        }
    }

    public Result load(Path file) {
        Problems problems = new Problems(file.toString());
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            problems.error(Mark.UNKNOWN, "", "no such file");
            return new Result(null, problems, Set.of());
        } catch (IOException e) {
            problems.error(Mark.UNKNOWN, "", "cannot read: " + e.getMessage());
            return new Result(null, problems, Set.of());
        }
        return parse(file.toString(), text, problems);
    }

    public Result parse(String source, String text) {
        return parse(source, text, new Problems(source));
    }

    private Result parse(String source, String text, Problems problems) {
        Interpolation.Result interpolated = Interpolation.apply(text, env, problems);
        YamlTree tree = YamlTree.parse(interpolated.text(), interpolated.columns(), problems);
        if (tree == null) return new Result(null, problems, Set.of());
        problems.locate(tree::pathAt);
        ConfigNode root = ConfigNode.root(tree, problems);
        GatewayConfig config = new ConfigReader(source).read(root);
        return new Result(problems.hasErrors() ? null : config, problems, root.declaredKeys());
    }
}
