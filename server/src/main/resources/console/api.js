// The console's only way to the server: the public HTTP API, with the user's API token (if any) as a
// bearer header. The token lives in session storage, never in a URL or a log.

const TOKEN_KEY = 'datapilot.apiToken';
let unauthorizedHandler = () => {};

export class ApiError extends Error {
  constructor(status, code, message, requestId) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Called on every 401: the console then asks for a token again. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

export function authHeaders(extra = {}) {
  const headers = {Accept: 'application/json', ...extra};
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  return headers;
}

/** A query string from an object; empty, null and undefined values are left out. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') q.set(key, String(value));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

async function errorFrom(response, usedToken) {
  let body = {};
  try {
    body = await response.json();
  } catch (e) {
    // not JSON: keep the status text
  }
  // a 401 for a token that has since been replaced (the user just signed in) is old news
  if (response.status === 401 && usedToken === token()) unauthorizedHandler(body.error);
  return new ApiError(response.status, body.error || 'request_failed',
    body.message || `${response.status} ${response.statusText}`, body.request_id);
}

/** fetch with the bearer header; network failures become an ApiError with status 0. */
export async function send(path, init = {}) {
  let response;
  const usedToken = token();
  try {
    response = await fetch(path, {...init, headers: authHeaders(init.headers)});
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', `The server cannot be reached (${e.message}).`);
  }
  if (!response.ok) throw await errorFrom(response, usedToken);
  return response;
}

/** A JSON call: api('/api/...'), api(path, {method: 'POST', json: {...}}). */
export async function api(path, {method = 'GET', json, body, signal} = {}) {
  const init = {method, signal, headers: {}};
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['Content-Type'] = 'application/json';
  } else if (body !== undefined) {
    init.body = body;
  }
  const response = await send(path, init);
  return response.status === 204 ? null : response.json();
}

/** Like api(), but a 404 gives null (for optional parts such as a run's execution). */
export async function apiOptional(path) {
  try {
    return await api(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/**
 * A download link. Without a token the browser follows it directly (streaming to disk); with a
 * token the bytes are fetched with the bearer header and handed to the browser as a blob.
 */
export function downloadLink(path, filename, label) {
  const a = document.createElement('a');
  a.href = path;
  a.textContent = label;
  a.setAttribute('download', filename || '');
  a.addEventListener('click', async event => {
    if (!token()) return;
    event.preventDefault();
    try {
      const response = await send(path, {headers: {Accept: '*/*'}});
      const url = URL.createObjectURL(await response.blob());
      const temp = document.createElement('a');
      temp.href = url;
      temp.download = filename || 'download';
      document.body.append(temp);
      temp.click();
      temp.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      a.title = `Download failed: ${e.message}`;
      a.classList.add('failed');
    }
  });
  return a;
}
