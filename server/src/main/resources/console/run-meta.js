// The run's curated metadata on the run page (docs/protocol.md §3.4): name, tags, notes, summary metrics
// beside the latest telemetry values. Editors change them with PATCH; a viewer sees them read-only.

import {api} from './api.js';
import {errorState, h, numHeader, replace, table} from './dom.js';
import {num, toNumber} from './format.js';
import {markdown} from './markdown.js';
import {tagChips} from './widgets.js';

export class RunMeta {
  constructor(base, run, editable, onUpdate) {
    this.base = base;
    this.run = run;
    this.editable = editable;
    this.onUpdate = onUpdate;
    this.latest = {};
    this.tagsBox = h('div', {id: 'run-tags'});
    this.notesBox = h('div', {id: 'run-notes'});
    this.metricsBox = h('div', {id: 'run-summary-metrics'});
    this.message = h('p', {class: 'small', role: 'status', id: 'meta-message'});
    this.element = h('section', {class: 'card', 'aria-labelledby': 'sec-about'},
      h('h2', {id: 'sec-about'}, 'Tags, notes and summary'),
      h('h3', {}, 'Tags'), this.tagsBox,
      h('h3', {}, 'Notes'), this.notesBox,
      h('h3', {}, 'Summary metrics'), this.metricsBox, this.message);
    this.draw();
  }

  setLatest(samples) {
    this.latest = Object.fromEntries(samples.map(s => [s.name, s.value]));
    this.drawMetrics();
  }

  async patch(body) {
    try {
      const run = await api(this.base, {method: 'PATCH', json: body});
      this.run = run;
      this.message.textContent = '';
      this.onUpdate(run);
      this.draw();
      return true;
    } catch (e) {
      replace(this.message, errorState('The change was not saved.', e));
      return false;
    }
  }

  /** The page heading: the run's name, with a rename form for editors. */
  drawTitle(box, run) {
    this.run = {...this.run, ...run};
    if (box.querySelector('form')) return; // a rename in progress is not taken away by a live refresh
    const heading = h('h1', {id: 'run-name'}, this.run.name || h('code', {}, this.run.run_id.slice(0, 8)));
    const id = h('code', {class: 'muted small', title: this.run.run_id}, this.run.run_id.slice(0, 8));
    if (!this.editable) {
      replace(box, heading, id);
      return;
    }
    const edit = h('button', {type: 'button', class: 'link-button small', id: 'rename-run'}, 'Rename');
    edit.addEventListener('click', () => {
      const input = h('input', {id: 'run-name-input', value: this.run.name || '', maxlength: '255',
        'aria-label': 'Run name', required: true});
      const error = h('span', {class: 'error-text small', role: 'alert'});
      const form = h('form', {class: 'inline-form rename'}, input,
        h('button', {type: 'submit', class: 'primary', id: 'save-name'}, 'Save'),
        h('button', {type: 'button', class: 'secondary', onclick: () => { box.replaceChildren(); this.drawTitle(box, this.run); }},
          'Cancel'), error);
      form.addEventListener('submit', async event => {
        event.preventDefault();
        try {
          const updated = await api(this.base, {method: 'PATCH', json: {name: input.value}});
          this.run = updated;
          box.replaceChildren();
          this.onUpdate(updated);
        } catch (e) {
          error.textContent = e.message;
        }
      });
      replace(box, form);
      input.focus();
      input.select();
    });
    replace(box, heading, id, edit);
  }

  draw() {
    this.drawTags();
    this.drawNotes();
    this.drawMetrics();
  }

  drawTags() {
    const tags = this.run.tags || {};
    const chips = tagChips(tags, this.editable ? key => this.patch({tags: {[key]: null}}) : null)
      || h('p', {class: 'muted small'}, 'No tags.');
    if (!this.editable) {
      replace(this.tagsBox, chips);
      return;
    }
    const key = h('input', {id: 'tag-key', placeholder: 'key', 'aria-label': 'Tag key', required: true, size: '12'});
    const value = h('input', {id: 'tag-value', placeholder: 'value', 'aria-label': 'Tag value', size: '16'});
    const form = h('form', {class: 'inline-form', id: 'tag-form'}, key, value,
      h('button', {type: 'submit', class: 'secondary', id: 'add-tag'}, 'Add tag'));
    form.addEventListener('submit', async event => {
      event.preventDefault();
      if (await this.patch({tags: {[key.value.trim()]: value.value}})) document.getElementById('tag-key')?.focus();
    });
    replace(this.tagsBox, chips, form);
  }

  drawNotes() {
    const notes = this.run.notes || '';
    const rendered = h('div', {class: 'notes', id: 'notes-rendered'},
      notes ? markdown(notes) : h('p', {class: 'muted small'}, 'No notes.'));
    if (!this.editable) {
      replace(this.notesBox, rendered);
      return;
    }
    const edit = h('button', {type: 'button', class: 'secondary', id: 'edit-notes'}, notes ? 'Edit notes' : 'Add notes');
    edit.addEventListener('click', () => {
      const area = h('textarea', {id: 'notes-input', rows: '8', 'aria-label': 'Notes (markdown)'});
      area.value = notes;
      const form = h('form', {class: 'notes-form'}, area,
        h('p', {class: 'muted small'}, 'Markdown: # headings, **bold**, *emphasis*, `code`, lists, [links](https://…).'),
        h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary', id: 'save-notes'}, 'Save notes'),
          h('button', {type: 'button', class: 'secondary', onclick: () => this.drawNotes()}, 'Cancel')));
      form.addEventListener('submit', async event => {
        event.preventDefault();
        await this.patch({notes: area.value});
      });
      replace(this.notesBox, form);
      area.focus();
    });
    replace(this.notesBox, rendered, edit);
  }

  /** One row per name in the summary or the telemetry: summary value, latest value, and whether they differ. */
  drawMetrics() {
    const summary = this.run.metrics || {};
    const names = [...new Set([...Object.keys(summary), ...Object.keys(this.latest)])].sort();
    if (!names.length) {
      replace(this.metricsBox, h('p', {class: 'muted small'}, 'No summary metrics and no telemetry yet.'));
      return;
    }
    const rows = names.map(n => {
      const s = summary[n];
      const l = this.latest[n];
      const differs = s !== undefined && l !== undefined && toNumber(s) !== toNumber(l);
      return h('tr', {'data-metric': n, class: differs ? 'differs' : null},
        h('th', {scope: 'row'}, n),
        h('td', {class: 'num summary'}, s === undefined ? '—' : typeof s === 'object' ? JSON.stringify(s) : num(s)),
        h('td', {class: 'num latest'}, l === undefined ? '—' : num(l)),
        h('td', {class: 'small muted'}, differs ? 'summary differs from the latest logged value' : ''));
    });
    replace(this.metricsBox, table('Summary metrics', ['Metric', numHeader('Summary'), numHeader('Latest logged'), ''],
      rows, {id: 'summary-metrics'}),
    h('p', {class: 'muted small'}, 'The summary is what the run states (searches and sorts use it); the latest logged '
      + 'value is the highest-step telemetry point.'));
  }
}
