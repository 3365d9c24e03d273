// Hash-route helpers shared by the shell and the pages.

/** The current hash route: path and query parameters. */
export function currentRoute() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, q = ''] = hash.split('?');
  return {path, params: new URLSearchParams(q)};
}

/** Changes query parameters of the current route without adding a history entry. */
export function updateQuery(changes) {
  const {path, params} = currentRoute();
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === null || value === '') params.delete(key);
    else params.set(key, value);
  }
  const q = params.toString();
  history.replaceState(null, '', `#${path}${q ? `?${q}` : ''}`);
}

/** Remembers the project a page shows, so the Experiments and Datasets links stay in it. */
export function setProject(projectId) {
  if (!projectId) return;
  const p = encodeURIComponent(projectId);
  document.getElementById('nav-experiments').href = `#/p/${p}/experiments`;
  document.getElementById('nav-datasets').href = `#/p/${p}/datasets`;
}
