// Artifact previews on the run page: text, JSON (pretty), CSV (the first rows as a table) and images.
// Never more than a capped prefix is fetched: text kinds ask for a byte Range (§5.3), images are shown
// only up to IMAGE_MAX bytes, so previewing a 1 GiB artifact reads at most PREVIEW_BYTES of it.

import {send} from './api.js';
import {errorState, h, replace, table} from './dom.js';
import {bytes} from './format.js';

export const PREVIEW_BYTES = 64 * 1024;
const IMAGE_MAX = 8 * 1024 * 1024;
const CSV_ROWS = 20;

/** What kind of preview an artifact gets, from its content type and file name; null when none. */
export function previewKind(a) {
  const type = (a.content_type || '').toLowerCase();
  const name = (a.filename || '').toLowerCase();
  if (type.startsWith('image/') || /\.(png|jpe?g|gif|webp|svg)$/.test(name)) return 'image';
  if (type.includes('json') || /\.(json|jsonl)$/.test(name)) return 'json';
  if (type.includes('csv') || /\.(csv|tsv)$/.test(name)) return 'csv';
  if (type.startsWith('text/') || /\.(txt|log|md|yaml|yml|toml|ini|cfg|py|sh)$/.test(name)) return 'text';
  return null;
}

/** Splits CSV text into rows of fields (quotes, doubled quotes and separators inside quotes handled). */
export function parseCsv(text, separator = ',') {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

export class ArtifactPreview {
  constructor(base) {
    this.base = base;
    this.url = null;
    this.element = h('div', {id: 'artifact-preview', 'aria-live': 'polite'});
  }

  button(a) {
    const kind = previewKind(a);
    if (!kind) return null;
    return h('button', {type: 'button', class: 'link-button preview-button', 'data-artifact-id': a.artifact_id,
      onclick: () => this.show(a, kind)}, 'Preview');
  }

  async show(a, kind) {
    const path = `${this.base}/artifacts/${a.artifact_id}/download`;
    const heading = h('h3', {}, `Preview: ${a.name || a.filename}`);
    const close = h('button', {type: 'button', class: 'link-button small', onclick: () => this.clear()}, 'Close preview');
    replace(this.element, heading, h('p', {class: 'muted'}, 'Loading…'));
    try {
      const body = kind === 'image' ? await this.image(a, path) : await this.text(a, path, kind);
      replace(this.element, h('div', {class: 'card-head'}, heading, close), body);
      this.element.dataset.kind = kind;
    } catch (e) {
      replace(this.element, heading, errorState('The preview could not be loaded.', e), close);
    }
  }

  async image(a, path) {
    if (a.size_bytes > IMAGE_MAX) {
      return h('p', {class: 'muted'}, `This image is ${bytes(a.size_bytes)}; previews show images up to `
        + `${bytes(IMAGE_MAX)}. Download it instead.`);
    }
    const blob = await (await send(path, {headers: {Accept: '*/*'}})).blob();
    this.revoke();
    this.url = URL.createObjectURL(blob);
    return h('img', {class: 'preview-image', src: this.url, alt: a.name || a.filename});
  }

  async text(a, path, kind) {
    const response = await send(path, {headers: {Accept: '*/*', Range: `bytes=0-${PREVIEW_BYTES - 1}`}});
    const buffer = await response.arrayBuffer();
    // a server that ignores the Range would send everything: only the cap is decoded
    const cut = buffer.byteLength > PREVIEW_BYTES ? buffer.slice(0, PREVIEW_BYTES) : buffer;
    const truncated = a.size_bytes > cut.byteLength;
    const text = new TextDecoder('utf-8', {fatal: false}).decode(cut);
    const note = h('p', {class: 'muted small', id: 'preview-note'}, truncated
      ? `Showing the first ${bytes(cut.byteLength)} of ${bytes(a.size_bytes)}.` : `${bytes(a.size_bytes)}, shown whole.`);
    if (kind === 'json' && !truncated) {
      try {
        return [h('pre', {class: 'payload', id: 'preview-json'}, JSON.stringify(JSON.parse(text), null, 2)), note];
      } catch (e) {
        // not one JSON document (JSON lines, say): shown as text
      }
    }
    if (kind === 'csv') {
      const lines = parseCsv(text, (a.filename || '').toLowerCase().endsWith('.tsv') ? '\t' : ',');
      if (truncated && lines.length > 1) lines.pop(); // the last line may be cut
      const [header = [], ...rest] = lines;
      const shown = rest.slice(0, CSV_ROWS);
      return [table('CSV preview', header, shown.map(r => h('tr', {}, r.map(v => h('td', {}, v)))), {id: 'preview-csv'}),
        h('p', {class: 'muted small'}, `First ${shown.length} row${shown.length === 1 ? '' : 's'}`
          + (truncated || rest.length > CSV_ROWS ? ' (more in the file).' : '.')), note];
    }
    return [h('pre', {class: 'payload', id: 'preview-text'}, text), note];
  }

  revoke() {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
  }

  clear() {
    this.revoke();
    this.element.replaceChildren();
  }
}
