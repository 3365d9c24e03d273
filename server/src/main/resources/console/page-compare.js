import {api, apiOptional, query} from './api.js';
import {overlayChart} from './charts.js';
import {emptyState, h, numHeader, replace, table} from './dom.js';
import {num, param, runDuration, time} from './format.js';
import {setProject} from './nav.js';
import {runStatus} from './widgets.js';

export const section = 'experiments';
const RUNS = '/api/experiments/experiment-runs/';
const MAX_RUNS = 12;

export async function render(main, args, ctx) {
  ctx.title('Compare runs');
  const ids = (ctx.params.get('runs') || '').split(',').map(s => s.trim()).filter(Boolean).slice(0, MAX_RUNS);
  if (!ids.length) {
    replace(main, h('h1', {}, 'Compare runs'), emptyState('No runs selected.',
      'Open an experiment, tick the runs to compare and press “Compare selected”.'));
    ctx.ready();
    return null;
  }
  const found = await Promise.all(ids.map(async id => {
    const run = await apiOptional(RUNS + encodeURIComponent(id));
    const latest = run ? await api(`${RUNS}${run.run_id}/metrics${query({limit: 1000})}`) : null;
    return run ? {run, latest: Object.fromEntries(latest.samples.map(s => [s.name, s.value]))} : null;
  }));
  const runs = found.filter(Boolean);
  if (runs.length) setProject(runs[0].run.project_id);
  const missing = ids.length - runs.length;
  const names = [...new Set(runs.flatMap(r => Object.keys(r.latest)))].sort();
  const paramNames = [...new Set(runs.flatMap(r => Object.keys(r.run.params)))].sort();
  const labelOf = r => r.run.run_id.slice(0, 8);
  const grid = h('div', {class: 'chart-grid', id: 'compare-charts'});
  const experimentId = runs.length ? runs[0].run.experiment_id : null;
  const experiment = experimentId ? await apiOptional(`/api/experiments/experiments/${experimentId}`) : null;
  replace(main,
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/'}, 'Projects'),
      experiment ? [' / ', h('a', {href: `#/p/${encodeURIComponent(experiment.project_id)}/experiments`},
        experiment.project_id), ' / ', h('a', {href: `#/experiments/${experiment.experiment_id}`}, experiment.name)]
        : null, ' / compare'),
    h('h1', {}, `Compare ${runs.length} run${runs.length === 1 ? '' : 's'}`),
    missing ? h('p', {class: 'state error', role: 'alert'}, `${missing} of the selected runs no longer exist.`) : null,
    table('Selected runs', ['Run', 'Status', 'Started', numHeader('Duration'), ...paramNames, ...names.map(n => `${n} (latest)`)],
      runs.map(r => h('tr', {},
        h('th', {scope: 'row'}, h('a', {href: `#/runs/${r.run.run_id}`}, labelOf(r))),
        h('td', {}, runStatus(r.run)), h('td', {}, time(r.run.started_at)), h('td', {class: 'num'}, runDuration(r.run)),
        paramNames.map(p => h('td', {}, param(r.run.params[p]))),
        names.map(n => h('td', {class: 'num'}, n in r.latest ? num(r.latest[n]) : '—')))), {id: 'compare-table'}),
    h('h2', {}, 'Metrics'),
    names.length ? grid : emptyState('None of these runs has metrics yet.'));
  const charts = [];
  for (const name of names) {
    const series = await Promise.all(runs.map(r => name in r.latest
      ? api(`${RUNS}${r.run.run_id}/metrics/series${query({name, max_points: 1000})}`) : Promise.resolve(null)));
    if (!ctx.isCurrent()) break;
    const chart = overlayChart(name, runs.map((r, i) => ({label: labelOf(r), series: series[i]})));
    charts.push(chart);
    grid.append(chart.element);
  }
  ctx.ready();
  return () => charts.forEach(c => c.destroy());
}
