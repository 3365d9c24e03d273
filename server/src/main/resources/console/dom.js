// Small DOM helpers: every text goes through textContent, never innerHTML, so data cannot inject markup.

/** Creates an element: h('a', {href: '#/x', class: 'c'}, 'text', child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A message for a list with nothing in it, saying why and what to do. */
export function emptyState(title, hint) {
  return h('div', {class: 'state empty', role: 'status'}, h('p', {class: 'state-title'}, title),
    hint ? h('p', {class: 'muted'}, hint) : null);
}

/** A message for a failed request: what failed, the server's message and the request id to quote. */
export function errorState(what, error) {
  if (error && error.status === 401) {
    return h('div', {class: 'state empty', role: 'status'}, h('p', {class: 'state-title'}, 'Sign in to see this.'),
      h('p', {class: 'muted'}, 'This server needs an API token; enter it in the sign-in prompt.'));
  }
  const details = [];
  if (error && error.status) details.push(`HTTP ${error.status}`);
  if (error && error.code) details.push(error.code);
  if (error && error.requestId) details.push(`request id ${error.requestId}`);
  return h('div', {class: 'state error', role: 'alert'},
    h('p', {class: 'state-title'}, what),
    h('p', {}, error ? error.message : 'Unknown error'),
    details.length ? h('p', {class: 'muted small'}, details.join(' · ')) : null);
}

export function loading(text = 'Loading…') {
  return h('p', {class: 'muted', role: 'status'}, text);
}

/** A column header for numbers (right-aligned like its cells). */
export function numHeader(text) {
  return h('th', {scope: 'col', class: 'num'}, text);
}

/** A table inside a horizontally scrolling region, so wide tables never break the layout. */
export function table(caption, headers, rows, attrs = {}) {
  return h('div', {class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0'},
    h('table', attrs,
      h('caption', {class: 'visually-hidden'}, caption),
      h('thead', {}, h('tr', {}, headers.map(cell => cell instanceof Node ? cell : h('th', {scope: 'col'}, cell)))),
      h('tbody', {}, rows)));
}

/** A definition list from [label, value] pairs; pairs with an empty value are left out. */
export function facts(pairs, attrs = {}) {
  return h('dl', {class: 'facts', ...attrs}, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value))));
}

export function section(title, ...children) {
  const id = 'sec-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', {class: 'card', 'aria-labelledby': id}, h('h2', {id}, title), children);
}
