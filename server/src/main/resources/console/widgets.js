// Pieces several pages show: run status badges and progress.

import {h} from './dom.js';
import {percent} from './format.js';

export const STATUSES = ['pending', 'running', 'succeeded', 'failed', 'canceled'];

export function statusBadge(status) {
  return h('span', {class: `badge status-${status}`, 'data-status': status}, status);
}

/** The status with the stale flag beside it (a running run that went silent). */
export function runStatus(run) {
  return h('span', {class: 'status-cell'}, statusBadge(run.status),
    run.stale ? h('span', {class: 'badge stale', title: 'running, but nothing was heard from it for a while'},
      'stale') : null);
}

/** A progress bar for run.progress ({step, total_steps?, percent?}); percent is a 0–1 fraction. */
export function progressBar(progress) {
  if (!progress) return null;
  const fraction = typeof progress.percent === 'number' ? progress.percent
    : progress.total_steps ? (progress.step + 1) / progress.total_steps : null;
  const label = `step ${progress.step}${progress.total_steps ? ` of ${progress.total_steps}` : ''}`
    + (fraction === null ? '' : ` (${percent(fraction)})`);
  return h('div', {class: 'progress'},
    fraction === null ? h('progress', {'aria-label': 'Progress'})
      : h('progress', {max: '1', value: String(Math.max(0, Math.min(1, fraction))), 'aria-label': 'Progress'}),
    h('span', {class: 'progress-label'}, label));
}
