import {api, apiOptional, downloadLink, query} from './api.js';
import {MetricChart} from './charts.js';
import {ArtifactPreview} from './artifact-preview.js';
import {emptyState, errorState, facts, h, numHeader, replace, section as card, table} from './dom.js';
import {bytes, runDuration, short, time} from './format.js';
import {setProject} from './nav.js';
import {RunMeta} from './run-meta.js';
import {detailsText, eventItem, gitText, paramsList, provenance} from './run-provenance.js';
import {canEdit} from './session.js';
import {openRunStream} from './stream.js';
import {archivedBadge, hasEnded, progressBar, runStatus, statusBadge} from './widgets.js';

export const section = 'experiments';

const RUNS = '/api/experiments/experiment-runs/';
const EVENT_PAGE = 200;
/** Series one stream opens with (docs/protocol.md §4.6); further charts are read once it is subscribed. */
const MAX_STREAM_SERIES = 20;
/** Points read with their times for a wall-clock x axis (10 pages). */

export async function render(main, {runId}, ctx) {
  const base = RUNS + encodeURIComponent(runId);
  const runRead = api(base);
  // the experiment and dataset version are read as soon as the run names them
  const related = runRead.then(run => Promise.all([
    apiOptional(`/api/experiments/experiments/${run.experiment_id}`),
    run.dataset_version_id ? apiOptional(`/api/dataset-registry/dataset-versions/${run.dataset_version_id}`)
      : null]));
  const latestRead = api(`${base}/metrics${query({limit: 1000})}`);
  const [run, states, latest, events, artifacts, execution, build, ciContexts, [experiment, version]] =
    await Promise.all([runRead, api(`${base}/states`), latestRead,
      api(`${base}/events${query({limit: EVENT_PAGE})}`), api(`${base}/artifacts${query({limit: 200})}`),
      apiOptional(`${base}/execution`), apiOptional(`${base}/build-context`),
      api(`${base}/ci-contexts${query({limit: 20})}`), related]);
  const editable = await canEdit();
  if (!ctx.isCurrent()) return null;
  setProject(run.project_id);
  ctx.title(`Run ${run.name || run.run_id.slice(0, 8)}`);
  const page = new RunPage(base, run, ctx, editable);
  page.layout(main, experiment, version, execution, build, ciContexts.contexts);
  page.meta.setLatest(latest.samples);
  page.showStates(states.states);
  page.showArtifacts(artifacts);
  page.showEvents(events);
  page.showCharts(latest.samples.map(s => s.name));
  // the series come with the stream (read after it subscribed, so no sample falls between the two)
  page.connect();
  await page.firstDrawn;
  if (!ctx.isCurrent()) {
    page.close();
    return null;
  }
  ctx.ready();
  return () => page.close();
}

/** Everything on the run page that changes after the first drawing. */
class RunPage {
  constructor(base, run, ctx, editable) {
    this.editable = editable;
    this.base = base;
    this.run = run;
    this.ctx = ctx;
    this.charts = new Map();
    this.shownEvents = new Set();
    this.maxEventId = 0;
    this.states = [];
    this.refreshTimer = null;
    this.closeStream = null;
    this.connection = null;
    // names whose series the current connection sends, and those it has not sent yet
    this.streamed = [];
    this.awaiting = new Set();
    this.firstDrawn = new Promise(resolve => { this.drawn = resolve; });
  }

  layout(main, experiment, version, execution, build, ciContexts) {
    const run = this.run;
    this.header = h('div', {class: 'run-header'});
    this.summary = h('div', {id: 'run-summary'});
    this.liveState = h('span', {class: 'live', id: 'live-state', 'data-state': 'connecting', 'aria-live': 'polite'},
      'connecting…');
    this.chartGrid = h('div', {class: 'chart-grid', id: 'charts'});
    this.eventList = h('ol', {class: 'event-log', id: 'event-log', 'aria-live': 'polite', 'aria-relevant': 'additions'});
    this.eventBox = h('div', {class: 'event-box', tabindex: '0', role: 'log', 'aria-label': 'Run events'}, this.eventList);
    this.olderEvents = h('button', {type: 'button', class: 'secondary', hidden: true}, 'Load earlier events');
    this.statesBox = h('div', {id: 'states'});
    this.artifactsBox = h('div', {id: 'artifacts'});
    this.preview = new ArtifactPreview(this.base);
    this.meta = new RunMeta(this.base, run, this.editable, updated => {
      this.run = {...this.run, ...updated};
      this.drawHeader();
    });
    const experimentLink = experiment
      ? h('a', {href: `#/experiments/${experiment.experiment_id}`}, experiment.name) : short(run.experiment_id);
    replace(main,
      h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/'}, 'Projects'), ' / ',
        h('a', {href: `#/p/${encodeURIComponent(run.project_id)}/experiments`}, run.project_id), ' / ',
        experimentLink, ' / ', `run ${run.name || run.run_id.slice(0, 8)}`),
      this.header,
      this.summary,
      this.meta.element,
      h('section', {class: 'card', 'aria-labelledby': 'sec-metrics'},
        h('div', {class: 'card-head'}, h('h2', {id: 'sec-metrics'}, 'Charts'), this.liveState),
        this.chartGrid),
      h('section', {class: 'card', 'aria-labelledby': 'sec-events'},
        h('h2', {id: 'sec-events'}, 'Events'), this.olderEvents, this.eventBox),
      h('div', {class: 'two-col'},
        card('State history', this.statesBox),
        card('Provenance', provenance(run, version, execution, build, ciContexts))),
      card('Artifacts', this.artifactsBox, this.preview.element));
    this.olderEvents.addEventListener('click', () => this.loadOlderEvents());
    this.drawHeader();
  }

  drawHeader() {
    const run = this.run;
    const active = run.status === 'pending' || run.status === 'running';
    if (!this.statusBox) {
      // built once, so a live refresh never takes away a half-done cancel confirmation or the focus
      this.statusBox = h('div', {class: 'run-status', id: 'run-status'});
      this.cancelBox = this.cancelControls();
      this.title = h('div', {class: 'run-title'});
      replace(this.header, this.title, this.statusBox, this.cancelBox);
    }
    this.meta.drawTitle(this.title, run);
    replace(this.statusBox, runStatus(run), archivedBadge(run),
      run.reported_status ? h('span', {class: 'reported', title: 'status the training code reported'},
        'reported: ', h('strong', {}, run.reported_status)) : null);
    this.cancelBox.hidden = !active || !this.editable;
    this.showConnection();
    replace(this.summary, h('div', {class: 'card'},
      facts([
        ['Run id', h('code', {}, run.run_id)],
        ['Started', time(run.started_at)],
        ['Ended', run.ended_at ? time(run.ended_at) : null],
        ['Duration', runDuration(run) + (run.ended_at ? '' : ' so far')],
        ['Last seen', run.last_seen_at ? time(run.last_seen_at) : 'nothing received yet'],
        ['Stale', run.stale ? 'yes: running, but silent for longer than the stale limit' : null],
        ['Git', gitText(run)],
      ]),
      run.progress ? h('div', {id: 'run-progress'}, h('h3', {}, 'Progress'), progressBar(run.progress, run)) : null,
      paramsList(run.params)));
  }

  cancelControls() {
    const box = h('div', {class: 'cancel-box', id: 'cancel-box'});
    const ask = h('button', {type: 'button', class: 'danger', id: 'cancel-run'}, 'Cancel run…');
    const message = h('span', {role: 'status', class: 'small'});
    ask.addEventListener('click', () => {
      const confirm = h('button', {type: 'button', class: 'danger', id: 'confirm-cancel'}, 'Yes, cancel the run');
      const keep = h('button', {type: 'button', class: 'secondary'}, 'Keep it running');
      keep.addEventListener('click', () => replace(box, ask, message));
      confirm.addEventListener('click', async () => {
        confirm.disabled = true;
        try {
          const answer = await api(`${this.base}:cancel`, {method: 'POST'});
          this.run = {...this.run, status: answer.status};
          this.drawHeader();
          this.scheduleRefresh();
        } catch (e) {
          replace(box, ask, errorState('The run could not be canceled.', e));
        }
      });
      replace(box, h('span', {}, 'Stop the job and mark the run canceled?'), confirm, keep);
      confirm.focus();
    });
    return replace(box, ask, message);
  }

  showStates(states) {
    this.states = states;
    replace(this.statesBox, states.length ? table('State history', ['Status', 'Observed', 'Details'],
      states.map(s => h('tr', {}, h('td', {}, statusBadge(s.status)), h('td', {}, time(s.observed_at)),
        h('td', {class: 'details'}, detailsText(s.details)))), {id: 'states-table'})
      : emptyState('No states recorded.'));
  }

  showArtifacts(page) {
    const rows = page.artifacts.map(a => h('tr', {},
      h('th', {scope: 'row'}, a.name || a.filename), h('td', {}, a.kind), h('td', {}, a.filename),
      h('td', {class: 'num'}, bytes(a.size_bytes)), h('td', {}, short(a.sha256, 12)), h('td', {}, time(a.created_at)),
      h('td', {}, downloadLink(`${this.base}/artifacts/${a.artifact_id}/download`, a.filename, 'Download')),
      h('td', {}, this.preview.button(a))));
    replace(this.artifactsBox, rows.length
      ? table('Artifacts', ['Name', 'Kind', 'File', numHeader('Size'), 'SHA-256', 'Created', '', ''], rows,
        {id: 'artifacts-table'})
      : emptyState('No artifacts yet.', 'Models, previews and logs uploaded by the run (upload_run_artifact) appear here.'));
  }

  showEvents(page) {
    const list = [...page.events].reverse();
    this.nextBefore = page.next_page_token ? page.next_before_event_id : null;
    this.olderEvents.hidden = this.nextBefore === null;
    if (!list.length) this.eventList.append(h('li', {class: 'muted empty-log'}, 'No events yet. New events appear here live.'));
    for (const e of list) this.addEvent(e, false);
    this.eventBox.scrollTop = this.eventBox.scrollHeight;
  }

  async loadOlderEvents() {
    this.olderEvents.disabled = true;
    try {
      const page = await api(`${this.base}/events${query({limit: EVENT_PAGE, before_event_id: this.nextBefore})}`);
      for (const e of page.events) {
        if (this.shownEvents.has(e.event_id)) continue;
        this.shownEvents.add(e.event_id);
        this.eventList.prepend(eventItem(e));
      }
      this.nextBefore = page.next_page_token ? page.next_before_event_id : null;
      this.olderEvents.hidden = this.nextBefore === null;
    } finally {
      this.olderEvents.disabled = false;
    }
  }

  addEvent(event, live) {
    if (this.shownEvents.has(event.event_id)) return;
    this.shownEvents.add(event.event_id);
    this.maxEventId = Math.max(this.maxEventId, event.event_id);
    const box = this.eventBox;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    const placeholder = this.eventList.querySelector('.empty-log');
    if (placeholder) placeholder.remove();
    this.eventList.append(eventItem(event));
    if (live && atBottom) box.scrollTop = box.scrollHeight;
    const m = event.metadata || {};
    if (live && ('status' in m || 'progress_step' in m)) this.scheduleRefresh();
  }

  showCharts(names) {
    if (!names.length) {
      this.chartGrid.append(h('div', {class: 'state empty no-metrics'}, h('p', {class: 'state-title'}, 'No metrics yet.'),
        h('p', {class: 'muted'}, 'Charts appear here, live, as soon as the run logs a metric.')));
      return;
    }
    for (const name of names) this.chartFor(name);
  }

  chartFor(name) {
    let chart = this.charts.get(name);
    if (!chart) {
      const empty = this.chartGrid.querySelector('.no-metrics');
      if (empty) empty.remove();
      chart = new MetricChart(name, c => this.reloadChartSoon(c));
      this.charts.set(name, chart);
      this.chartGrid.append(chart.element);
    }
    return chart;
  }

  /**
   * A plain series read. Gap-free only while the stream is live (subscribed before the read): live
   * samples seen meanwhile are merged into the answer.
   */
  async loadChart(chart, maxPoints = null) {
    const log = chart.beginRead();
    try {
      chart.setSeries(await api(`${this.base}/metrics/series${query({name: chart.name,
        max_points: maxPoints || chart.maxPoints()})}`), log);
    } catch (e) {
      chart.endRead(log);
      chart.area.replaceChildren(errorState(`The series “${chart.name}” could not be loaded.`, e));
    }
  }

  reloadChartSoon(chart) {
    if (chart.reloading) return;
    chart.reloading = setTimeout(async () => {
      await this.loadChart(chart);
      chart.reloading = null;
    }, 1000);
  }

  /** The stream's query: the first MAX_STREAM_SERIES charts open with their series. */
  streamQuery() {
    const charts = [...this.charts.values()];
    this.streamed = charts.slice(0, MAX_STREAM_SERIES).map(c => c.name);
    const params = new URLSearchParams();
    for (const name of this.streamed) params.append('series', name);
    if (charts.length) params.set('max_points', String(Math.max(2, charts[0].maxPoints())));
    return params;
  }

  /** The stream is subscribed: charts it does not send a series for are read now. */
  onReady() {
    const streamed = new Set(this.streamed);
    for (const chart of this.charts.values()) {
      if (!streamed.has(chart.name)) this.loadChart(chart);
    }
  }

  onSeries(series) {
    const chart = this.charts.get(series.name);
    if (chart) chart.setSeries(series);
    this.awaiting.delete(series.name);
    if (!this.awaiting.size) this.showLive();
  }

  /** What the live badge says: an ended run is not live, whatever the stream does. */
  showConnection(state = this.connection || 'connecting') {
    this.connection = state;
    if (hasEnded(this.run)) {
      this.liveState.dataset.state = 'ended';
      this.liveState.textContent = `■ ended (${this.run.status}): not live`;
      return;
    }
    this.liveState.dataset.state = state;
    this.liveState.textContent = {live: '● live', connecting: 'connecting…', reconnecting: 'reconnecting…',
      closed: 'not live'}[state];
  }

  showLive() {
    this.showConnection('live');
    if (!this.shownLive) {
      this.shownLive = true;
      performance.mark('run-series-drawn'); // when the charts first had their series (browser tests measure it)
    }
    this.drawn();
  }

  onMetrics(frame) {
    const byName = new Map();
    for (const s of frame.samples) {
      if (!byName.has(s.name)) byName.set(s.name, []);
      byName.get(s.name).push(s);
    }
    for (const [name, samples] of byName) {
      samples.sort((a, b) => a.step - b.step);
      const known = this.charts.has(name);
      const chart = this.chartFor(name);
      chart.append(samples);
      // a metric first seen live may have earlier samples (logged before the stream opened)
      if (!known) this.loadChart(chart);
    }
  }

  onStatus(state) {
    // the stream repeats the current state on every connect: nothing new then
    if (this.states.some(s => s.state_id === state.state_id)) return;
    this.showStates([...this.states, state]);
    if (state.status !== this.run.status) {
      this.run = {...this.run, status: state.status};
      this.drawHeader();
    }
    this.scheduleRefresh();
  }

  /** Re-reads the run (progress, reported status, end time) at most once a second. */
  scheduleRefresh() {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(async () => {
      this.refreshTimer = null;
      try {
        this.run = await api(this.base);
        this.drawHeader();
      } catch (e) {
        // the stream keeps the page current; the next change tries again
      }
    }, 700);
  }

  connect() {
    let reconnected = false;
    this.closeStream = openRunStream(this.run.run_id, this.maxEventId, {
      query: () => this.streamQuery(),
      connection: state => {
        if (state === 'live') {
          if (reconnected) this.scheduleRefresh();
          // shown live once this connection's series frames are drawn (they come before any live frame;
          // after a drop they are sent again, so samples written meanwhile are drawn too)
          this.awaiting = new Set(this.streamed);
          if (!this.awaiting.size) this.showLive();
          return;
        }
        if (state === 'reconnecting') reconnected = true;
        this.showConnection(state);
        if (this.awaiting.size || !this.streamed.length) {
          // no series from this connection: draw what a plain read gives (the next connection sends them)
          for (const chart of this.charts.values()) {
            if (chart.element.dataset.loaded !== 'true') this.loadChart(chart);
          }
          this.awaiting = new Set();
          this.drawn();
        }
      },
      ready: () => this.onReady(),
      series: s => this.onSeries(s),
      status: s => this.onStatus(s),
      metrics: f => this.onMetrics(f),
      event: e => this.addEvent(e, true),
    });
  }

  close() {
    if (this.closeStream) this.closeStream();
    clearTimeout(this.refreshTimer);
    for (const chart of this.charts.values()) {
      clearTimeout(chart.reloading);
      chart.destroy();
    }
  }
}
