package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitMetadataTest {
  @Test
  void repositoryUrlsAreNormalisedToHostAndPath() {
    assertThat(GitMetadata.normalizeRepoUrl("git@github.com:acme/train.git")).isEqualTo("github.com/acme/train");
    assertThat(GitMetadata.normalizeRepoUrl("https://tok@GitHub.com/acme/train/")).isEqualTo("github.com/acme/train");
    assertThat(GitMetadata.normalizeRepoUrl("ssh://git@gitlab.example.com:2222/g/sub/p.git"))
        .isEqualTo("gitlab.example.com/g/sub/p");
    assertThat(GitMetadata.normalizeRepoUrl("")).isEmpty();
  }

  @Test
  void githubActionsVariablesWin() {
    Map<String, String> env = Map.of("GITHUB_ACTIONS", "true", "GITHUB_REPOSITORY", "acme/train", "GITHUB_SHA",
        "abc123", "GITHUB_REF", "refs/heads/main", "GITLAB_CI", "true", "CI_COMMIT_SHA", "zzz", "CI_PROJECT_URL",
        "https://gitlab.com/x/y");
    assertThat(GitMetadata.detect(env, null))
        .contains(new GitMetadata("github.com/acme/train", "abc123", "refs/heads/main", "github_actions"));
  }

  @Test
  void gitlabTagsAndBranchesBecomeRefs() {
    assertThat(GitMetadata.detect(Map.of("GITLAB_CI", "true", "CI_COMMIT_SHA", "s1", "CI_PROJECT_URL",
        "https://gitlab.com/g/p", "CI_COMMIT_TAG", "v1"), null))
        .contains(new GitMetadata("gitlab.com/g/p", "s1", "refs/tags/v1", "gitlab_ci"));
    assertThat(GitMetadata.detect(Map.of("GITLAB_CI", "true", "CI_COMMIT_SHA", "s1", "CI_REPOSITORY_URL",
        "https://gitlab-ci-token:x@gitlab.com/g/p.git", "CI_COMMIT_REF_NAME", "dev"), null))
        .contains(new GitMetadata("gitlab.com/g/p", "s1", "refs/heads/dev", "gitlab_ci"));
  }

  @Test
  void jenkinsStripsOriginFromTheBranch() {
    assertThat(GitMetadata.detect(Map.of("JENKINS_URL", "http://ci", "GIT_COMMIT", "c1", "GIT_URL",
        "git@github.com:acme/train.git", "GIT_BRANCH", "origin/main"), null))
        .contains(new GitMetadata("github.com/acme/train", "c1", "refs/heads/main", "jenkins"));
  }

  @Test
  void gitCommandLineIsTheFallback(@TempDir Path dir) throws Exception {
    Path repo = dir.resolve("repo");
    Files.createDirectories(repo);
    org.junit.jupiter.api.Assumptions.assumeTrue(run(repo, "git", "init", "-q") == 0, "git is not installed");
    run(repo, "git", "config", "user.email", "t@example.com");
    run(repo, "git", "config", "user.name", "t");
    run(repo, "git", "remote", "add", "origin", "https://github.com/acme/fallback.git");
    Files.writeString(repo.resolve("f"), "x");
    run(repo, "git", "add", "f");
    assertThat(run(repo, "git", "commit", "-q", "-m", "init")).isZero();
    GitMetadata git = GitMetadata.detect(Map.of(), repo).orElseThrow();
    assertThat(git.repo()).isEqualTo("github.com/acme/fallback");
    assertThat(git.commit()).hasSize(40);
    assertThat(git.ref()).startsWith("refs/heads/");
    assertThat(git.source()).isEqualTo("git");
    assertThat(GitMetadata.detect(Map.of(), dir)).isEmpty();
  }

  private static int run(Path dir, String... cmd) throws Exception {
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
