import {api, query} from './api.js';
import {emptyState, errorState, h, replace, table} from './dom.js';
import {time} from './format.js';
import {setProject} from './nav.js';

export const section = 'datasets';

export async function render(main, {project}, ctx) {
  setProject(project);
  ctx.title(`Datasets · ${project}`);
  const list = h('div', {id: 'dataset-list'});
  const name = h('input', {id: 'new-dataset-name', name: 'name', required: true, maxlength: '255', autocomplete: 'off'});
  const description = h('input', {id: 'new-dataset-description', name: 'description', maxlength: '1000'});
  const message = h('p', {role: 'status', class: 'small', id: 'new-dataset-message'});
  const form = h('form', {class: 'inline-form', id: 'new-dataset-form'},
    h('div', {}, h('label', {for: 'new-dataset-name'}, 'Name'), name),
    h('div', {}, h('label', {for: 'new-dataset-description'}, 'Description (optional)'), description),
    h('button', {type: 'submit', class: 'primary'}, 'Create dataset'), message);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    try {
      const created = await api(`/api/dataset-registry/datasets${query({project_id: project})}`,
        {method: 'POST', json: {name: name.value, description: description.value, metadata: {}}});
      location.hash = `#/datasets/${created.dataset_id}`;
    } catch (e) {
      replace(message, errorState('The dataset was not created.', e));
    }
  });
  replace(main,
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/'}, 'Projects'), ' / ', project),
    h('h1', {}, 'Datasets'),
    list,
    h('details', {class: 'card'}, h('summary', {}, 'New dataset'), form));
  try {
    const rows = h('tbody');
    let next = null;
    const more = h('button', {type: 'button', class: 'secondary', hidden: true}, 'Load more');
    const load = async () => {
      const page = await api(`/api/dataset-registry/datasets${query({project_id: project, limit: 100, page_token: next})}`);
      next = page.next_page_token || null;
      more.hidden = !next;
      page.datasets.forEach(d => rows.append(h('tr', {},
        h('th', {scope: 'row'}, h('a', {href: `#/datasets/${d.dataset_id}`}, d.name)),
        h('td', {}, d.description || h('span', {class: 'muted'}, '—')),
        h('td', {}, time(d.created_at)), h('td', {}, d.created_by))));
      return page.datasets.length;
    };
    more.addEventListener('click', load);
    if (!(await load())) {
      replace(list, emptyState('No datasets in this project yet.',
        'Create one below, then upload its first version from a file.'));
    } else {
      const t = table('Datasets', ['Name', 'Description', 'Created', 'By'], [], {id: 'datasets-table'});
      t.querySelector('tbody').replaceWith(rows);
      replace(list, t, more);
    }
  } catch (e) {
    replace(list, errorState('The datasets could not be loaded.', e));
  }
  ctx.ready();
}
