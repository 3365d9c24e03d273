import {api, query} from './api.js';
import {emptyState, errorState, h, loading, replace} from './dom.js';
import {num, param, runDuration, short, time} from './format.js';
import {setProject, updateQuery} from './nav.js';
import {runStatus, STATUSES} from './widgets.js';

export const section = 'experiments';
const PAGE = 100;
const MAX_COLUMNS = 8;

export async function render(main, {experimentId}, ctx) {
  const experiment = await api(`/api/experiments/experiments/${encodeURIComponent(experimentId)}`);
  setProject(experiment.project_id);
  ctx.title(experiment.name);
  const state = {
    status: ctx.params.get('status') || '',
    orderBy: ctx.params.get('order_by') || 'started_at',
    order: ctx.params.get('order') === 'asc' ? 'asc' : 'desc',
    selected: new Set(),
  };
  const statusSelect = h('select', {id: 'status-filter'}, h('option', {value: ''}, 'All statuses'),
    STATUSES.map(s => h('option', {value: s, selected: s === state.status}, s)));
  const compareButton = h('button', {type: 'button', id: 'compare-button', class: 'primary', disabled: true},
    'Compare selected');
  const results = h('div', {id: 'run-results'});
  const sortNote = h('p', {class: 'muted small', id: 'sort-note', 'aria-live': 'polite'});
  replace(main,
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/'}, 'Projects'), ' / ',
      h('a', {href: `#/p/${encodeURIComponent(experiment.project_id)}/experiments`}, experiment.project_id), ' / ',
      experiment.name),
    h('h1', {}, experiment.name),
    experiment.description ? h('p', {class: 'lead'}, experiment.description) : null,
    h('div', {class: 'toolbar'},
      h('label', {for: 'status-filter'}, 'Status'), statusSelect, sortNote,
      h('span', {class: 'spacer'}), compareButton),
    results);

  const updateCompare = () => {
    compareButton.disabled = state.selected.size < 1;
    compareButton.textContent = state.selected.size ? `Compare selected (${state.selected.size})` : 'Compare selected';
  };
  compareButton.addEventListener('click', () => {
    location.hash = `#/compare?runs=${[...state.selected].join(',')}`;
  });
  const reload = async () => {
    updateQuery({status: state.status, order_by: state.orderBy === 'started_at' ? '' : state.orderBy,
      order: state.order === 'desc' ? '' : state.order});
    sortNote.textContent = `Sorted by ${describe(state.orderBy)}, ${state.order === 'asc' ? 'ascending' : 'descending'}.`;
    replace(results, loading('Loading runs…'));
    try {
      await renderRuns(results, experimentId, state, reload, updateCompare, ctx);
    } catch (e) {
      replace(results, errorState('The runs could not be loaded.', e));
    }
    ctx.ready();
  };
  statusSelect.addEventListener('change', () => {
    state.status = statusSelect.value;
    reload();
  });
  await reload();
}

function describe(orderBy) {
  if (orderBy === 'started_at') return 'start time';
  const [kind, name] = [orderBy.slice(0, orderBy.indexOf(':')), orderBy.slice(orderBy.indexOf(':') + 1)];
  return `${kind} “${name}”`;
}

async function renderRuns(results, experimentId, state, reload, updateCompare, ctx) {
  let next = null;
  const fetchPage = async () => {
    const page = await api(`/api/experiments/experiments/${encodeURIComponent(experimentId)}/runs${query({
      limit: PAGE, status: state.status, order_by: state.orderBy, order: state.order,
      include: 'latest_metrics', page_token: next})}`);
    next = page.next_page_token || null;
    return page.runs;
  };
  const runs = await fetchPage();
  if (!ctx.isCurrent()) return;
  if (!runs.length) {
    replace(results, state.status
      ? emptyState(`No ${state.status} runs in this experiment.`, 'Choose another status, or “All statuses”.')
      : emptyState('This experiment has no runs yet.',
        'Runs appear here when the SDK creates them (create_run) or when a training job is executed.'));
    return;
  }
  const paramNames = columnNames(runs, r => r.params);
  const metricNames = columnNames(runs, r => r.latest_metrics);
  const sortHeader = (label, key, kind) => {
    const active = state.orderBy === key;
    const arrow = active ? (state.order === 'asc' ? ' ▲' : ' ▼') : '';
    return h('th', {scope: 'col', class: kind, 'aria-sort': active ? (state.order === 'asc' ? 'ascending' : 'descending') : null},
      h('button', {type: 'button', class: 'sort', 'data-order-by': key, title: `Sort by ${label}`,
        onclick: () => {
          state.order = active && state.order === 'desc' ? 'asc' : 'desc';
          state.orderBy = key;
          reload();
        }}, label + arrow));
  };
  const headers = [
    h('th', {scope: 'col'}, h('span', {class: 'visually-hidden'}, 'Select')),
    h('th', {scope: 'col'}, 'Run'), h('th', {scope: 'col'}, 'Status'),
    sortHeader('Started', 'started_at', ''), h('th', {scope: 'col', class: 'num'}, 'Duration'),
    paramNames.map(n => sortHeader(n, `param:${n}`, 'param')),
    metricNames.map(n => sortHeader(n, `metric:${n}`, 'metric num')),
  ];
  const body = h('tbody');
  const addRows = list => list.forEach(r => body.append(runRow(r, paramNames, metricNames, state, updateCompare)));
  addRows(runs);
  const more = h('button', {type: 'button', class: 'secondary', hidden: !next}, 'Load more runs');
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      addRows(await fetchPage());
      more.hidden = !next;
    } finally {
      more.disabled = false;
    }
  });
  replace(results,
    h('div', {class: 'table-wrap', role: 'region', 'aria-label': 'Runs', tabindex: '0'},
      h('table', {id: 'runs-table'},
        h('caption', {class: 'visually-hidden'}, 'Runs of this experiment'),
        h('thead', {}, h('tr', {}, headers)), body)),
    h('p', {class: 'muted small'}, 'Params and metrics columns show the keys found on the loaded runs; '
      + 'metric values are the latest (highest step) sample. Sorting happens on the server, over every run.'),
    more);
}

function columnNames(runs, pick) {
  const names = new Set();
  for (const r of runs) for (const k of Object.keys(pick(r) || {})) names.add(k);
  return [...names].sort().slice(0, MAX_COLUMNS);
}

function runRow(run, paramNames, metricNames, state, updateCompare) {
  const box = h('input', {type: 'checkbox', class: 'select-run', value: run.run_id,
    'aria-label': `Select run ${run.run_id.slice(0, 8)} for comparison`, checked: state.selected.has(run.run_id)});
  box.addEventListener('change', () => {
    if (box.checked) state.selected.add(run.run_id);
    else state.selected.delete(run.run_id);
    updateCompare();
  });
  const metrics = run.latest_metrics || {};
  return h('tr', {'data-run-id': run.run_id},
    h('td', {}, box),
    h('th', {scope: 'row'}, h('a', {href: `#/runs/${run.run_id}`}, short(run.run_id))),
    h('td', {}, runStatus(run)),
    h('td', {}, time(run.started_at)),
    h('td', {class: 'num'}, runDuration(run)),
    paramNames.map(n => h('td', {class: 'param'}, param(run.params[n]))),
    metricNames.map(n => h('td', {class: 'num metric', 'data-metric': n}, n in metrics ? num(metrics[n]) : '—')));
}
