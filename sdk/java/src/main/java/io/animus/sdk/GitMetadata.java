package io.animus.sdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a run's code came from: {@code repo} normalised to {@code host/path} (no scheme, credentials or
 * {@code .git}), {@code commit}, {@code ref} and the {@code source} that supplied them ({@code github_actions},
 * {@code gitlab_ci}, {@code jenkins} or {@code git}).
 *
 * <p>{@link #detect(Map, Path)} applies the published SDK's rules: GitHub Actions variables, then GitLab CI, then
 * Jenkins, then the {@code git} command line in the given directory.
 */
public record GitMetadata(String repo, String commit, String ref, String source) {
  private static final Pattern SCP_LIKE = Pattern.compile("^(?:[^@/\\s]+@)?([^:/\\s]+):(?!//)(.+)$");
  private static final long GIT_TIMEOUT_SECONDS = 5;

  /** Metadata with null parts replaced by empty strings. */
  public GitMetadata {
    repo = repo == null ? "" : repo;
    commit = commit == null ? "" : commit;
    ref = ref == null ? "" : ref;
    source = source == null ? "" : source;
  }

  /** Detects metadata from the process environment and the current directory. */
  public static Optional<GitMetadata> detect() {
    return detect(System.getenv(), null);
  }

  /** Detects metadata from {@code env}, else from {@code git} run in {@code cwd} (null: the current directory). */
  public static Optional<GitMetadata> detect(Map<String, String> env, Path cwd) {
    Optional<GitMetadata> found = fromGithub(env);
    if (found.isEmpty()) {
      found = fromGitlab(env);
    }
    if (found.isEmpty()) {
      found = fromJenkins(env);
    }
    return found.isPresent() ? found : fromGitCli(cwd);
  }

  /**
   * {@code git@github.com:acme/train.git} and {@code https://tok@github.com/acme/train} both become
   * {@code github.com/acme/train}.
   */
  public static String normalizeRepoUrl(String url) {
    String text = url == null ? "" : url.strip();
    if (text.isEmpty()) {
      return "";
    }
    String host;
    String path;
    if (text.contains("://")) {
      URI uri;
      try {
        uri = URI.create(text);
      } catch (IllegalArgumentException e) {
        return stripRepoPath(text.substring(text.indexOf("://") + 3));
      }
      host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
      path = uri.getPath() == null ? "" : uri.getPath();
      if ("file".equals(uri.getScheme()) || host.isEmpty()) {
        return stripRepoPath(path);
      }
    } else {
      Matcher m = SCP_LIKE.matcher(text);
      if (!m.matches()) {
        return stripRepoPath(text);
      }
      host = m.group(1).toLowerCase(Locale.ROOT);
      path = m.group(2);
    }
    path = stripRepoPath(path);
    return path.isEmpty() ? host : host + "/" + path;
  }

  private static String stripRepoPath(String path) {
    String p = path.strip();
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.endsWith(".git")) {
      p = p.substring(0, p.length() - 4);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  private static String branchRef(String name) {
    String n = name == null ? "" : name.strip();
    if (n.isEmpty() || n.startsWith("refs/")) {
      return n;
    }
    if (n.startsWith("origin/")) {
      n = n.substring("origin/".length());
    }
    return "refs/heads/" + n;
  }

  private static String get(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null ? "" : v.strip();
  }

  private static Optional<GitMetadata> fromGithub(Map<String, String> env) {
    if (!get(env, "GITHUB_ACTIONS").equalsIgnoreCase("true")) {
      return Optional.empty();
    }
    String repository = get(env, "GITHUB_REPOSITORY");
    String sha = get(env, "GITHUB_SHA");
    if (repository.isEmpty() || sha.isEmpty()) {
      return Optional.empty();
    }
    String server = get(env, "GITHUB_SERVER_URL");
    if (server.isEmpty()) {
      server = "https://github.com";
    }
    while (server.endsWith("/")) {
      server = server.substring(0, server.length() - 1);
    }
    return Optional.of(new GitMetadata(normalizeRepoUrl(server + "/" + repository), sha, get(env, "GITHUB_REF"),
        "github_actions"));
  }

  private static Optional<GitMetadata> fromGitlab(Map<String, String> env) {
    if (!get(env, "GITLAB_CI").equalsIgnoreCase("true")) {
      return Optional.empty();
    }
    String sha = get(env, "CI_COMMIT_SHA");
    String url = get(env, "CI_PROJECT_URL");
    if (url.isEmpty()) {
      url = get(env, "CI_REPOSITORY_URL");
    }
    if (sha.isEmpty() || url.isEmpty()) {
      return Optional.empty();
    }
    String tag = get(env, "CI_COMMIT_TAG");
    String branch = get(env, "CI_COMMIT_REF_NAME");
    if (branch.isEmpty()) {
      branch = get(env, "CI_COMMIT_BRANCH");
    }
    String ref = tag.isEmpty() ? branchRef(branch) : "refs/tags/" + tag;
    return Optional.of(new GitMetadata(normalizeRepoUrl(url), sha, ref, "gitlab_ci"));
  }

  private static Optional<GitMetadata> fromJenkins(Map<String, String> env) {
    if (get(env, "JENKINS_URL").isEmpty() && get(env, "JENKINS_HOME").isEmpty()) {
      return Optional.empty();
    }
    String sha = get(env, "GIT_COMMIT");
    String url = get(env, "GIT_URL");
    if (sha.isEmpty() || url.isEmpty()) {
      return Optional.empty();
    }
    String branch = get(env, "GIT_BRANCH");
    if (branch.isEmpty()) {
      branch = get(env, "BRANCH_NAME");
    }
    return Optional.of(new GitMetadata(normalizeRepoUrl(url), sha, branchRef(branch), "jenkins"));
  }

  private static Optional<GitMetadata> fromGitCli(Path cwd) {
    String commit = git(cwd, "rev-parse", "--verify", "-q", "HEAD");
    if (commit.isEmpty()) {
      return Optional.empty();
    }
    String remote = git(cwd, "config", "--get", "remote.origin.url");
    String ref = git(cwd, "symbolic-ref", "-q", "HEAD");
    return Optional.of(new GitMetadata(normalizeRepoUrl(remote), commit, ref, "git"));
  }

  private static String git(Path cwd, String... args) {
    List<String> command = new java.util.ArrayList<>();
    command.add("git");
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
        .redirectInput(ProcessBuilder.Redirect.PIPE);
    if (cwd != null) {
      pb.directory(cwd.toFile());
    }
    Process process;
    try {
      process = pb.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      return "";
    }
    try (InputStream in = process.getInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      if (!process.waitFor(GIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "";
      }
      return process.exitValue() == 0 ? out.toString(StandardCharsets.UTF_8).strip() : "";
    } catch (IOException e) {
      process.destroyForcibly();
      return "";
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
