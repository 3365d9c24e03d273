import {api, downloadLink, query, send} from './api.js';
import {emptyState, errorState, facts, h, numHeader, replace, table} from './dom.js';
import {bytes, int, short, time} from './format.js';
import {setProject} from './nav.js';

export const section = 'datasets';

export async function render(main, {datasetId}, ctx) {
  const base = `/api/dataset-registry/datasets/${encodeURIComponent(datasetId)}`;
  const dataset = await api(base);
  setProject(dataset.project_id);
  ctx.title(dataset.name);
  const versions = h('div', {id: 'versions'});
  const file = h('input', {type: 'file', id: 'version-file', name: 'file', required: true});
  const rule = h('input', {id: 'version-rule', name: 'quality_rule_id', maxlength: '255', autocomplete: 'off'});
  const status = h('div', {id: 'upload-status', role: 'status', 'aria-live': 'polite'});
  const submit = h('button', {type: 'submit', class: 'primary', id: 'upload-button'}, 'Upload version');
  const form = h('form', {class: 'inline-form', id: 'upload-form'},
    h('div', {}, h('label', {for: 'version-file'}, 'File'), file),
    h('div', {}, h('label', {for: 'version-rule'}, 'Quality rule id (optional)'), rule),
    submit, status);
  const reload = async highlight => {
    try {
      await renderVersions(versions, base, highlight);
    } catch (e) {
      replace(versions, errorState('The versions could not be loaded.', e));
    }
  };
  form.addEventListener('submit', async event => {
    event.preventDefault();
    if (!file.files.length) return;
    const chosen = file.files[0];
    const body = new FormData();
    if (rule.value.trim()) body.append('quality_rule_id', rule.value.trim());
    body.append('file', chosen, chosen.name);
    submit.disabled = true;
    replace(status, `Uploading ${chosen.name} (${bytes(chosen.size)})…`);
    try {
      const response = await send(`${base}/versions/upload`, {method: 'POST', body});
      const version = await response.json();
      replace(status, h('p', {class: 'success'}, `Uploaded version ${int(version.ordinal)} (${bytes(version.size_bytes)}).`));
      form.reset();
      await reload(version.version_id);
    } catch (e) {
      replace(status, e.code === 'duplicate_content'
        ? h('p', {class: 'state error', role: 'alert'}, 'This file is already a version of the dataset; nothing was added.')
        : errorState('The upload failed.', e));
    } finally {
      submit.disabled = false;
    }
  });
  replace(main,
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/'}, 'Projects'), ' / ',
      h('a', {href: `#/p/${encodeURIComponent(dataset.project_id)}/datasets`}, dataset.project_id), ' / ', dataset.name),
    h('h1', {}, dataset.name),
    dataset.description ? h('p', {class: 'lead'}, dataset.description) : null,
    h('div', {class: 'card'}, facts([['Dataset id', h('code', {}, dataset.dataset_id)], ['Created', time(dataset.created_at)],
      ['Created by', dataset.created_by]])),
    h('section', {class: 'card', 'aria-labelledby': 'sec-upload'}, h('h2', {id: 'sec-upload'}, 'Upload a new version'), form),
    h('section', {class: 'card', 'aria-labelledby': 'sec-versions'}, h('h2', {id: 'sec-versions'}, 'Versions'), versions));
  await reload(null);
  ctx.ready();
}

async function renderVersions(box, base, highlight) {
  const page = await api(`${base}/versions${query({limit: 500})}`);
  if (!page.versions.length) {
    replace(box, emptyState('No versions yet.', 'Upload a file above to create version 1.'));
    return;
  }
  replace(box, table('Versions', ['Version', 'File', numHeader('Size'), 'SHA-256', 'Quality rule', 'Created', 'By', ''],
    page.versions.map(v => h('tr', {class: v.version_id === highlight ? 'highlight' : null, 'data-version-id': v.version_id},
      h('th', {scope: 'row'}, int(v.ordinal)),
      h('td', {}, v.metadata.filename || '—'),
      h('td', {class: 'num'}, bytes(v.size_bytes)),
      h('td', {}, short(v.content_sha256, 16)),
      h('td', {}, v.quality_rule_id || '—'),
      h('td', {}, time(v.created_at)),
      h('td', {}, v.created_by),
      h('td', {}, downloadLink(`/api/dataset-registry/dataset-versions/${v.version_id}/download`,
        v.metadata.filename || 'dataset.bin', 'Download')))), {id: 'versions-table'}),
    page.next_page_token ? h('p', {class: 'muted small'}, 'Showing the newest 500 versions.') : null);
}
