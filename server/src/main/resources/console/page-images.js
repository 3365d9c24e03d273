import {api, query} from './api.js';
import {emptyState, errorState, facts, h, replace, table} from './dom.js';
import {short, time} from './format.js';
import {updateQuery} from './nav.js';

export const section = 'images';

export async function render(main, {digest}, ctx) {
  if (digest) return renderOne(main, digest, ctx);
  ctx.title('Model images');
  const repo = h('input', {id: 'image-repo', name: 'repo', value: ctx.params.get('repo') || '', autocomplete: 'off'});
  const commit = h('input', {id: 'image-commit', name: 'commit_sha', value: ctx.params.get('commit_sha') || '',
    autocomplete: 'off'});
  const list = h('div', {id: 'image-list'});
  const form = h('form', {class: 'toolbar', role: 'search'},
    h('label', {for: 'image-repo'}, 'Repository'), repo, h('label', {for: 'image-commit'}, 'Commit'), commit,
    h('button', {type: 'submit', class: 'secondary'}, 'Filter'));
  const load = async () => {
    updateQuery({repo: repo.value.trim(), commit_sha: commit.value.trim()});
    try {
      const page = await api(`/api/experiments/model-images${query({repo: repo.value.trim(),
        commit_sha: commit.value.trim(), limit: 200})}`);
      replace(list, page.model_images.length
        ? table('Model images', ['Digest', 'Repository', 'Commit', 'Pipeline', 'Provider', 'Registered'],
          page.model_images.map(m => h('tr', {},
            h('th', {scope: 'row'}, h('a', {href: `#/images/${m.image_digest}`}, short(m.image_digest, 19))),
            h('td', {}, m.repo), h('td', {}, short(m.commit_sha, 12)), h('td', {}, m.pipeline_id),
            h('td', {}, m.provider || '—'), h('td', {}, time(m.received_at)))), {id: 'images-table'})
        : emptyState(repo.value || commit.value ? 'No registered image matches these filters.' : 'No model images yet.',
          'Images are registered by CI builds through the signed POST /api/experiments/ci/report.'));
    } catch (e) {
      replace(list, errorState('The model images could not be loaded.', e));
    }
    ctx.ready();
  };
  form.addEventListener('submit', event => {
    event.preventDefault();
    load();
  });
  replace(main, h('h1', {}, 'Model images'),
    h('p', {class: 'lead'}, 'Images registered by CI, with the repository and commit they were built from.'), form, list);
  await load();
  return null;
}

async function renderOne(main, digest, ctx) {
  ctx.title('Model image');
  const image = await api(`/api/experiments/model-images/${digest}`);
  replace(main,
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/images'}, 'Model images'), ' / ',
      short(image.image_digest, 19)),
    h('h1', {}, 'Model image'),
    h('div', {class: 'card'}, facts([
      ['Digest', h('code', {class: 'wrap'}, image.image_digest)], ['Repository', image.repo],
      ['Commit', h('code', {}, image.commit_sha)], ['Pipeline', image.pipeline_id], ['Provider', image.provider],
      ['Registered', time(image.received_at)], ['Registered by', image.received_by],
    ], {id: 'image-facts'})),
    h('section', {class: 'card', 'aria-labelledby': 'sec-payload'}, h('h2', {id: 'sec-payload'}, 'CI report payload'),
      h('pre', {class: 'payload', tabindex: '0'}, JSON.stringify(image.payload, null, 2))));
  ctx.ready();
  return null;
}
