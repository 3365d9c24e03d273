// The console's shell: hash routes to pages, the signed-in identity, and the token prompt.

import {api, ApiError, onUnauthorized, setToken, token} from './api.js';
import {errorState, h, loading, replace} from './dom.js';
import {timeZone} from './format.js';
import {me} from './session.js';
import {currentRoute} from './nav.js';
import * as projects from './page-projects.js';
import * as experiments from './page-experiments.js';
import * as experiment from './page-experiment.js';
import * as run from './page-run.js';
import * as compare from './page-compare.js';
import * as datasets from './page-datasets.js';
import * as dataset from './page-dataset.js';
import * as images from './page-images.js';

const ROUTES = [
  [/^\/?$/, projects, () => ({})],
  [/^\/p\/([^/]+)\/experiments$/, experiments, m => ({project: m[1]})],
  [/^\/experiments\/([^/]+)$/, experiment, m => ({experimentId: m[1]})],
  [/^\/runs\/([^/]+)$/, run, m => ({runId: m[1]})],
  [/^\/compare$/, compare, () => ({})],
  [/^\/p\/([^/]+)\/datasets$/, datasets, m => ({project: m[1]})],
  [/^\/datasets\/([^/]+)$/, dataset, m => ({datasetId: m[1]})],
  [/^\/images$/, images, () => ({})],
  [/^\/images\/([^/]+)$/, images, m => ({digest: m[1]})],
];

const main = document.getElementById('main');
const dialog = document.getElementById('token-dialog');
let cleanup = null;
let renderCount = 0;

function markSection(section) {
  for (const link of document.querySelectorAll('nav a[data-section]')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function render() {
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const mine = ++renderCount;
  const {path, params} = currentRoute();
  const found = ROUTES.map(([re, page, args]) => [path.match(re), page, args]).find(([m]) => m);
  document.body.removeAttribute('data-ready');
  if (!found) {
    document.title = 'Not found · DataPilot';
    replace(main, h('h1', {}, 'Page not found'),
      h('p', {}, 'The console has no page at this address. ', h('a', {href: '#/'}, 'Go to the projects.')));
    document.body.dataset.ready = 'true';
    return;
  }
  const [match, page, args] = found;
  const routeArgs = Object.fromEntries(Object.entries(args(match)).map(([k, v]) => [k, decodeURIComponent(v)]));
  markSection(page.section);
  replace(main, loading());
  const ctx = {
    params,
    isCurrent: () => mine === renderCount,
    title: text => { document.title = `${text} · DataPilot`; },
    ready: () => {
      if (mine !== renderCount) return;
      document.body.dataset.ready = 'true';
      // for the browser tests' responsiveness measurement: when the page first became usable
      if (window.consoleReadyAt === undefined) window.consoleReadyAt = performance.now();
    },
  };
  await me();
  try {
    const result = await page.render(main, routeArgs, ctx);
    if (mine === renderCount) cleanup = typeof result === 'function' ? result : null;
    else if (typeof result === 'function') result();
  } catch (e) {
    if (mine !== renderCount) return;
    if (e instanceof ApiError && e.status === 401) return;
    replace(main, errorState('This page could not be loaded.', e));
    document.body.dataset.ready = 'true';
  }
}

async function showIdentity() {
  const who = document.getElementById('whoami');
  try {
    const identity = await api('/api/auth/me');
    who.textContent = `${identity.subject} (${identity.role})`;
    document.body.dataset.role = identity.role;
    document.getElementById('sign-out').hidden = !token();
    return true;
  } catch (e) {
    who.textContent = e instanceof ApiError && e.status === 401 ? 'not signed in' : '';
    return !(e instanceof ApiError && e.status === 401);
  }
}

function askForToken(reason) {
  const error = document.getElementById('token-error');
  error.textContent = reason === 'invalid_token' ? 'That token was not accepted (unknown, revoked or expired).' : '';
  if (!dialog.open) dialog.showModal();
  document.getElementById('token-input').focus();
}

onUnauthorized(code => {
  setToken(null);
  document.getElementById('whoami').textContent = 'not signed in';
  askForToken(code || 'unauthorized');
});

document.getElementById('token-form').addEventListener('submit', async event => {
  event.preventDefault();
  const input = document.getElementById('token-input');
  const value = input.value.trim();
  if (!value) return;
  setToken(value);
  if (await showIdentity()) {
    input.value = '';
    dialog.close();
    render();
  }
});

// The prompt cannot be dismissed with Escape while there is no usable token.
dialog.addEventListener('cancel', event => event.preventDefault());

document.getElementById('sign-out').addEventListener('click', () => {
  setToken(null);
  location.hash = '#/';
  showIdentity().then(ok => ok ? render() : null);
});

// The skip link must not change the hash (that is the page address here): it only moves focus.
document.getElementById('skip-link').addEventListener('click', event => {
  event.preventDefault();
  main.focus();
});

document.getElementById('time-zone').textContent = timeZone;
window.addEventListener('hashchange', () => {
  render().then(() => main.focus({preventScroll: true}));
});

// Both at once: a page that needs a token gets a 401 too, which opens the prompt.
showIdentity();
render();
