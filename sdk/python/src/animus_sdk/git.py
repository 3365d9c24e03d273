"""Git metadata for runs: from CI environment variables, else from the git CLI."""

import os
import re
import subprocess
from dataclasses import dataclass
from typing import Mapping, Optional
from urllib.parse import urlsplit

_GIT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class GitMetadata:
    """Where a run's code came from. ``repo`` is normalised to ``host/owner/name`` (no scheme, credentials or .git)."""

    repo: str
    commit: str
    ref: str = ""
    source: str = ""


_SCP_LIKE = re.compile(r"^(?:[^@/\s]+@)?([^:/\s]+):(?!//)(.+)$")


def normalize_repo_url(url: str) -> str:
    """``git@github.com:acme/train.git``, ``https://tok@github.com/acme/train`` → ``github.com/acme/train``."""
    text = (url or "").strip()
    if not text:
        return ""
    if "://" in text:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        path = parts.path
        if parts.scheme == "file" or not host:
            return _strip_repo_path(path)
    else:
        match = _SCP_LIKE.match(text)
        if not match:
            return _strip_repo_path(text)
        host, path = match.group(1).lower(), match.group(2)
    path = _strip_repo_path(path)
    return host + "/" + path if path else host


def _strip_repo_path(path: str) -> str:
    path = path.strip().strip("/")
    if path.endswith(".git"):
        path = path[: -len(".git")]
    return path.rstrip("/")


def _branch_ref(name: str) -> str:
    name = (name or "").strip()
    if not name or name.startswith("refs/"):
        return name
    if name.startswith("origin/"):
        name = name[len("origin/") :]
    return "refs/heads/" + name


def _from_github(env: Mapping[str, str]) -> Optional[GitMetadata]:
    if env.get("GITHUB_ACTIONS", "").lower() != "true":
        return None
    repository, sha = env.get("GITHUB_REPOSITORY", "").strip(), env.get("GITHUB_SHA", "").strip()
    if not repository or not sha:
        return None
    server = env.get("GITHUB_SERVER_URL", "").strip() or "https://github.com"
    return GitMetadata(
        repo=normalize_repo_url(server.rstrip("/") + "/" + repository),
        commit=sha,
        ref=env.get("GITHUB_REF", "").strip(),
        source="github_actions",
    )


def _from_gitlab(env: Mapping[str, str]) -> Optional[GitMetadata]:
    if env.get("GITLAB_CI", "").lower() != "true":
        return None
    sha = env.get("CI_COMMIT_SHA", "").strip()
    url = env.get("CI_PROJECT_URL", "").strip() or env.get("CI_REPOSITORY_URL", "").strip()
    if not sha or not url:
        return None
    tag = env.get("CI_COMMIT_TAG", "").strip()
    ref = "refs/tags/" + tag if tag else _branch_ref(env.get("CI_COMMIT_REF_NAME", "") or env.get("CI_COMMIT_BRANCH", ""))
    return GitMetadata(repo=normalize_repo_url(url), commit=sha, ref=ref, source="gitlab_ci")


def _from_jenkins(env: Mapping[str, str]) -> Optional[GitMetadata]:
    if not (env.get("JENKINS_URL", "").strip() or env.get("JENKINS_HOME", "").strip()):
        return None
    sha, url = env.get("GIT_COMMIT", "").strip(), env.get("GIT_URL", "").strip()
    if not sha or not url:
        return None
    branch = env.get("GIT_BRANCH", "").strip() or env.get("BRANCH_NAME", "").strip()
    return GitMetadata(repo=normalize_repo_url(url), commit=sha, ref=_branch_ref(branch), source="jenkins")


def _git(cwd: Optional[str], *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=_GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    if done.returncode != 0:
        return ""
    return done.stdout.decode("utf-8", "replace").strip()


def _from_git_cli(cwd: Optional[str]) -> Optional[GitMetadata]:
    commit = _git(cwd, "rev-parse", "--verify", "-q", "HEAD")
    if not commit:
        return None
    remote = _git(cwd, "config", "--get", "remote.origin.url")
    ref = _git(cwd, "symbolic-ref", "-q", "HEAD")
    return GitMetadata(repo=normalize_repo_url(remote), commit=commit, ref=ref, source="git")


def get_git_metadata(*, env: Optional[Mapping[str, str]] = None, cwd: Optional[str] = None) -> Optional[GitMetadata]:
    """GitHub Actions, then GitLab CI, then Jenkins variables, then ``git`` in ``cwd``; None when nothing is known."""
    environ = os.environ if env is None else env
    for detect in (_from_github, _from_gitlab, _from_jenkins):
        found = detect(environ)
        if found is not None:
            return found
    return _from_git_cli(cwd)
