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

export const TERMINAL = ['succeeded', 'failed', 'canceled'];

/** True once the run has ended (a terminal status): nothing about it is live any more. */
export function hasEnded(run) {
  return TERMINAL.includes(run.status);
}

/**
 * A progress bar for run.progress ({step, total_steps?, percent?}); percent is a 0–1 fraction. With the
 * run given, an ended run says so: a succeeded run is complete whatever its last progress event said, a
 * failed or canceled one "stopped at" its last step.
 */
export function progressBar(progress, run = null) {
  if (!progress) return null;
  let fraction = typeof progress.percent === 'number' ? progress.percent
    : progress.total_steps ? (progress.step + 1) / progress.total_steps : null;
  const ended = run && hasEnded(run);
  if (ended && run.status === 'succeeded') fraction = 1;
  const steps = `step ${progress.step}${progress.total_steps ? ` of ${progress.total_steps}` : ''}`;
  const label = !ended ? steps + (fraction === null ? '' : ` (${percent(fraction)})`)
    : run.status === 'succeeded' ? `done (${percent(1)}), last reported ${steps}`
      : `stopped at ${steps}` + (fraction === null ? '' : ` (${percent(fraction)})`) + `: ${run.status}`;
  return h('div', {class: 'progress'},
    fraction === null ? h('progress', {'aria-label': 'Progress'})
      : h('progress', {max: '1', value: String(Math.max(0, Math.min(1, fraction))), 'aria-label': 'Progress'}),
    h('span', {class: 'progress-label'}, label));
}

/** A run's display name: its name, else (older servers) the start of its id. */
export function runName(run) {
  return run.name || run.run_id.slice(0, 8);
}

/** Tags ({key: value}) as chips; `onRemove(key)`, when given, adds a remove button to each. */
export function tagChips(tags, onRemove = null) {
  const entries = Object.entries(tags || {});
  if (!entries.length) return null;
  return h('ul', {class: 'chips'}, entries.map(([k, v]) => h('li', {class: 'chip', 'data-tag': k},
    h('span', {class: 'chip-key'}, k), v !== '' ? h('span', {class: 'chip-value'}, v) : null,
    onRemove ? h('button', {type: 'button', class: 'chip-remove', 'aria-label': `Remove tag ${k}`,
      onclick: () => onRemove(k)}, '×') : null)));
}

export function archivedBadge(run) {
  return run.archived_at ? h('span', {class: 'badge archived', title: `archived ${run.archived_at}`}, 'archived') : null;
}
