import {api, query} from './api.js';
import {setProject, updateQuery} from './nav.js';
import {emptyState, errorState, h, loading, numHeader, replace, table} from './dom.js';
import {int, time} from './format.js';

export const section = 'experiments';

export async function render(main, {project}, ctx) {
  setProject(project);
  ctx.title(`Experiments · ${project}`);
  const search = h('input', {type: 'search', id: 'experiment-search', name: 'q', value: ctx.params.get('q') || '',
    placeholder: 'Name contains…', autocomplete: 'off'});
  const results = h('div', {id: 'experiment-results', 'aria-live': 'polite'});
  replace(main,
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/'}, 'Projects'), ' / ', project),
    h('h1', {}, 'Experiments'),
    h('form', {class: 'toolbar', role: 'search', onsubmit: e => e.preventDefault()},
      h('label', {for: 'experiment-search'}, 'Search'), search),
    results);

  let timer = null;
  let generation = 0;
  const load = async () => {
    const mine = ++generation;
    const q = search.value.trim();
    updateQuery({q});
    replace(results, loading());
    try {
      await renderList(results, project, q, () => mine === generation && ctx.isCurrent());
    } catch (e) {
      if (mine === generation) replace(results, errorState('The experiments could not be loaded.', e));
    }
    if (mine === generation) ctx.ready();
  };
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(load, 250);
  });
  await load();
  return () => clearTimeout(timer);
}

async function renderList(results, project, q, stillWanted) {
  const rows = h('tbody');
  let next = null;
  const more = h('button', {type: 'button', class: 'secondary', hidden: true}, 'Load more');
  const fetchPage = async () => {
    const page = await api(`/api/experiments/experiments${query({project_id: project, q, limit: 100,
      page_token: next})}`);
    if (!stillWanted()) return null;
    next = page.next_page_token || null;
    more.hidden = !next;
    for (const e of page.experiments) rows.append(row(e));
    return page;
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      await fetchPage();
    } finally {
      more.disabled = false;
    }
  });
  const first = await fetchPage();
  if (!first) return;
  if (!first.experiments.length) {
    replace(results, q
      ? emptyState(`No experiment name contains “${q}”.`, 'The search ignores case; try a shorter part of the name.')
      : emptyState('No experiments in this project yet.',
        'Experiments are created by the SDK (create_experiment) or with POST /api/experiments/experiments.'));
    return;
  }
  const t = table('Experiments', ['Name', 'Description', numHeader('Runs'), 'Last run', 'Created'], [], {id: 'experiments-table'});
  t.querySelector('tbody').replaceWith(rows);
  replace(results, t, more);
}

function row(e) {
  return h('tr', {},
    h('th', {scope: 'row'}, h('a', {href: `#/experiments/${e.experiment_id}`}, e.name)),
    h('td', {}, e.description || h('span', {class: 'muted'}, '—')),
    h('td', {class: 'num'}, int(e.run_count)),
    h('td', {}, e.last_run_at ? time(e.last_run_at) : h('span', {class: 'muted'}, 'no runs')),
    h('td', {}, time(e.created_at)));
}
