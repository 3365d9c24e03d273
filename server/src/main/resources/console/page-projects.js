import {api} from './api.js';
import {emptyState, h, numHeader, replace, table} from './dom.js';
import {int, time} from './format.js';

export const section = 'projects';

export async function render(main, args, ctx) {
  ctx.title('Projects');
  const body = await api('/api/experiments/projects');
  const rows = body.projects.map(p => {
    const id = encodeURIComponent(p.project_id);
    return h('tr', {},
      h('th', {scope: 'row'}, h('a', {href: `#/p/${id}/experiments`}, p.project_id)),
      h('td', {class: 'num'}, h('a', {href: `#/p/${id}/experiments`}, int(p.experiment_count))),
      h('td', {class: 'num'}, h('a', {href: `#/p/${id}/datasets`}, int(p.dataset_count))),
      h('td', {}, time(p.last_activity_at)));
  });
  replace(main,
    h('h1', {}, 'Projects'),
    rows.length
      ? table('Projects', ['Project', numHeader('Experiments'), numHeader('Datasets'), 'Last activity'], rows, {id: 'projects-table'})
      : emptyState('No projects yet.', h('span', {},
        'A project appears once it holds an experiment or a dataset. Create one with the Python SDK, or open ',
        h('a', {href: '#/p/default/datasets'}, 'the datasets of the default project'), ' to upload data.')));
  ctx.ready();
}
