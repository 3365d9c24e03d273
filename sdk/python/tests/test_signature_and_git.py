"""The CI signature (docs/protocol.md section 7.1 test vector) and the git metadata rules. No server needed."""

import os
import shutil
import subprocess
import tempfile
import unittest

from animus_sdk import GitMetadata, compute_ci_webhook_signature, get_git_metadata
from animus_sdk.git import normalize_repo_url

VECTOR_BODY = b'{"context":{"sha":"abc"},"provider":"github_actions","run_id":"run-123"}'


class SignatureTest(unittest.TestCase):
    def test_protocol_test_vector(self):
        sig = compute_ci_webhook_signature(secret="test-secret", ts=1734200000, method="POST", body=VECTOR_BODY)
        self.assertEqual(sig, "W8DZwxZW8jKJeHNF-6yDAZ1JgEH1JNiSrsipBOSvfJY")

    def test_text_body_string_ts_and_lower_case_method_give_the_same_signature(self):
        sig = compute_ci_webhook_signature("test-secret", " 1734200000 ", "post", VECTOR_BODY.decode("ascii"))
        self.assertEqual(sig, "W8DZwxZW8jKJeHNF-6yDAZ1JgEH1JNiSrsipBOSvfJY")

    def test_other_secret_or_body_changes_the_signature(self):
        base = compute_ci_webhook_signature(secret="test-secret", ts=1734200000, method="POST", body=VECTOR_BODY)
        self.assertNotEqual(base, compute_ci_webhook_signature(secret="x", ts=1734200000, method="POST", body=VECTOR_BODY))
        self.assertNotEqual(base, compute_ci_webhook_signature(secret="test-secret", ts=1734200000, method="POST", body=b"{}"))
        self.assertNotIn("=", base)


class NormalizeRepoUrlTest(unittest.TestCase):
    def test_forms(self):
        cases = {
            "git@github.com:acme/train.git": "github.com/acme/train",
            "git@gitlab.example.com:group/sub/train": "gitlab.example.com/group/sub/train",
            "https://github.com/acme/train.git": "github.com/acme/train",
            "https://x-access-token:s3cr3t@GitHub.com/acme/train/": "github.com/acme/train",
            "https://gitlab-ci-token:abc@gitlab.com/acme/train.git": "gitlab.com/acme/train",
            "ssh://git@git.example.com:2222/acme/train.git": "git.example.com/acme/train",
            "http://jenkins-git.local/scm/acme/train": "jenkins-git.local/scm/acme/train",
            "": "",
        }
        for url, expected in cases.items():
            with self.subTest(url=url):
                self.assertEqual(normalize_repo_url(url), expected)


class GitMetadataTest(unittest.TestCase):
    def setUp(self):
        self.empty_dir = tempfile.mkdtemp(prefix="animus-nogit-")

    def tearDown(self):
        shutil.rmtree(self.empty_dir, ignore_errors=True)

    def test_github_actions(self):
        env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/train", "GITHUB_SHA": "abc123",
               "GITHUB_REF": "refs/heads/main", "GITHUB_SERVER_URL": "https://github.com"}
        self.assertEqual(
            get_git_metadata(env=env, cwd=self.empty_dir),
            GitMetadata(repo="github.com/acme/train", commit="abc123", ref="refs/heads/main", source="github_actions"),
        )

    def test_github_enterprise_server_url(self):
        env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/train", "GITHUB_SHA": "abc",
               "GITHUB_SERVER_URL": "https://GHE.example.com/"}
        self.assertEqual(get_git_metadata(env=env, cwd=self.empty_dir).repo, "ghe.example.com/acme/train")

    def test_gitlab_ci_branch_and_tag(self):
        env = {"GITLAB_CI": "true", "CI_PROJECT_URL": "https://gitlab.com/acme/train", "CI_COMMIT_SHA": "def456",
               "CI_COMMIT_REF_NAME": "feature/x"}
        self.assertEqual(
            get_git_metadata(env=env, cwd=self.empty_dir),
            GitMetadata(repo="gitlab.com/acme/train", commit="def456", ref="refs/heads/feature/x", source="gitlab_ci"),
        )
        env.update({"CI_COMMIT_TAG": "v1.2", "CI_COMMIT_REF_NAME": "v1.2"})
        self.assertEqual(get_git_metadata(env=env, cwd=self.empty_dir).ref, "refs/tags/v1.2")

    def test_gitlab_repository_url_credentials_are_removed(self):
        env = {"GITLAB_CI": "true", "CI_REPOSITORY_URL": "https://gitlab-ci-token:glcbt-secret@gitlab.com/acme/train.git",
               "CI_COMMIT_SHA": "def456"}
        meta = get_git_metadata(env=env, cwd=self.empty_dir)
        self.assertEqual(meta.repo, "gitlab.com/acme/train")
        self.assertNotIn("secret", meta.repo)

    def test_jenkins(self):
        env = {"JENKINS_URL": "https://ci.example.com/", "GIT_URL": "git@github.com:acme/train.git",
               "GIT_COMMIT": "0123abc", "GIT_BRANCH": "origin/main"}
        self.assertEqual(
            get_git_metadata(env=env, cwd=self.empty_dir),
            GitMetadata(repo="github.com/acme/train", commit="0123abc", ref="refs/heads/main", source="jenkins"),
        )

    def test_github_wins_over_jenkins_variables(self):
        env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/a", "GITHUB_SHA": "1",
               "JENKINS_URL": "x", "GIT_URL": "https://github.com/acme/b", "GIT_COMMIT": "2"}
        self.assertEqual(get_git_metadata(env=env, cwd=self.empty_dir).source, "github_actions")

    def test_nothing_known_gives_none(self):
        self.assertIsNone(get_git_metadata(env={}, cwd=self.empty_dir))

    @unittest.skipIf(shutil.which("git") is None, "git is not installed: apt-get install git")
    def test_git_cli_in_a_temporary_repository(self):
        repo = self.empty_dir
        env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
                   GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_NOSYSTEM="1", HOME=repo)

        def git(*args):
            return subprocess.run(["git", *args], cwd=repo, env=env, check=True, timeout=30,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout.decode().strip()

        git("init", "-q")
        git("checkout", "-q", "-b", "trunk")
        with open(os.path.join(repo, "a.txt"), "w") as fh:
            fh.write("a")
        git("add", "a.txt")
        git("commit", "-q", "-m", "first")
        git("remote", "add", "origin", "git@github.com:acme/train.git")
        head = git("rev-parse", "HEAD")
        meta = get_git_metadata(env={}, cwd=repo)
        self.assertEqual(meta, GitMetadata(repo="github.com/acme/train", commit=head, ref="refs/heads/trunk", source="git"))
        git("remote", "set-url", "origin", "https://user:tok@github.com/acme/other.git")
        self.assertEqual(get_git_metadata(env={}, cwd=repo).repo, "github.com/acme/other")


if __name__ == "__main__":
    unittest.main()
