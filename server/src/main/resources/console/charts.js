// Metric charts on uPlot (loaded as the global uPlot from its webjar). A series comes from the
// downsampled series endpoint: the line is each bucket's last value, the band its min and max.

import {h} from './dom.js';
import {int, num, toNumber} from './format.js';

const COLORS = ['#1f6fd1', '#d1492e', '#2f9e44', '#9c36b5', '#e67700', '#0c8599', '#5c3d99', '#a61e4d'];
const HEIGHT = 220;

export function color(i) {
  return COLORS[i % COLORS.length];
}

/** A finite number for plotting; NaN and the infinities leave a gap. */
function plotValue(value) {
  const n = toNumber(value);
  return n === null || !Number.isFinite(n) ? null : n;
}

function axes() {
  return [
    {label: 'step', values: (u, splits) => splits.map(v => int(v))},
    {values: (u, splits) => splits.map(v => num(v)), size: 70},
  ];
}

function widthOf(el) {
  return Math.max(240, Math.floor(el.clientWidth || 600));
}

/** Redraws a chart at its container's width whenever the container is resized. */
function followWidth(el, getPlot) {
  const observer = new ResizeObserver(() => {
    const plot = getPlot();
    if (plot && Math.abs(plot.width - widthOf(el)) > 2) plot.setSize({width: widthOf(el), height: HEIGHT});
  });
  observer.observe(el);
  return () => observer.disconnect();
}

/** Index of the first element of the ascending array `xs` that is not below `x`. */
function lowerBound(xs, x) {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One metric of one run: min/max band plus a line, with live points merged in by step. A series
 * (from the stream's `series` frame, or a plain read made while the stream is live) and the live
 * samples together hold every point; a sample may come in both (first write wins, same value), so
 * merging is idempotent: a step already drawn is not added again.
 */
export class MetricChart {
  constructor(name, onStale) {
    this.name = name;
    this.onStale = onStale;
    this.data = [[], [], [], []];
    this.total = 0;
    this.nanCount = 0;
    this.appended = 0;
    this.downsampled = false;
    this.seriesLast = -Infinity;
    this.reads = new Set();
    this.plot = null;
    this.latest = h('span', {class: 'latest', 'data-latest': ''}, '—');
    this.note = h('p', {class: 'muted small chart-note'});
    this.area = h('div', {class: 'chart-area', role: 'img', 'aria-label': `Chart of ${name} by step`});
    this.element = h('figure', {class: 'chart card', 'data-metric': name},
      h('figcaption', {}, h('span', {class: 'chart-title'}, name), ' ', h('span', {class: 'muted'}, 'latest'), ' ',
        this.latest),
      this.area, this.note);
    this.stopResize = followWidth(this.area, () => this.plot);
  }

  /** Wanted bucket count: about one per pixel. */
  maxPoints() {
    return Math.min(4000, widthOf(this.area));
  }

  /**
   * Before a plain series read: live samples seen from now on are kept, to be merged again into its
   * answer (they may be newer than the read's snapshot). Pass the returned log to setSeries or endRead.
   */
  beginRead() {
    const log = [];
    this.reads.add(log);
    return log;
  }

  endRead(log) {
    this.reads.delete(log);
  }

  /** Replaces the data with a series answer ({total_points, downsampled, buckets}), then merges `log`. */
  setSeries(series, log = null) {
    const data = [[], [], [], []];
    let nan = 0;
    for (const b of series.buckets) {
      data[0].push(b.step_max);
      data[1].push(plotValue(b.last));
      data[2].push(b.min === undefined ? null : plotValue(b.min));
      data[3].push(b.max === undefined ? null : plotValue(b.max));
      nan += b.nan_count || 0;
    }
    this.data = data;
    this.total = series.total_points;
    this.nanCount = nan;
    this.appended = 0;
    this.downsampled = series.downsampled;
    const last = series.buckets[series.buckets.length - 1];
    this.seriesLast = last ? last.step_max : -Infinity;
    this.latest.textContent = last ? num(last.last) : '—';
    this.element.dataset.loaded = 'true';
    if (log) {
      this.endRead(log);
      this.merge(log);
    }
    this.draw();
  }

  /** Adds live samples ({step, value}). */
  append(samples) {
    for (const log of this.reads) log.push(...samples);
    this.merge(samples);
    if (this.downsampled && this.appended > 1000) this.onStale(this);
    this.draw();
  }

  merge(samples) {
    for (const s of samples) {
      const xs = this.data[0];
      const v = plotValue(s.value);
      let at = xs.length;
      if (xs.length && s.step <= xs[xs.length - 1]) {
        at = lowerBound(xs, s.step);
        // a step already drawn is the same sample again (the first write wins)
        if (xs[at] === s.step) continue;
        // downsampled, the series' buckets cover its steps: a sample there may be one of them, sent
        // again live; it cannot be told from a late write, so it is left to the buckets
        if (this.downsampled && s.step <= this.seriesLast) continue;
        if (this.downsampled) {
          this.onStale(this); // a late write among live points of a downsampled chart: read afresh
          continue;
        }
      }
      xs.splice(at, 0, s.step);
      this.data[1].splice(at, 0, v);
      this.data[2].splice(at, 0, v);
      this.data[3].splice(at, 0, v);
      this.total++;
      this.appended++;
      if (Number.isNaN(toNumber(s.value))) this.nanCount++;
      if (at === xs.length - 1) this.latest.textContent = num(s.value);
    }
  }

  draw() {
    this.note.textContent = `${int(this.total)} point${this.total === 1 ? '' : 's'}` + (this.downsampled
      ? `, drawn as ${int(this.data[0].length)} buckets: line = last value, band = min–max` : '')
      + (this.nanCount ? `; ${int(this.nanCount)} NaN values left as gaps` : '');
    this.element.dataset.points = String(this.total);
    if (this.plot) {
      this.plot.setData(this.data);
      return;
    }
    const opts = {
      width: widthOf(this.area),
      height: HEIGHT,
      legend: {show: false},
      cursor: {drag: {x: true, y: false}},
      scales: {x: {time: false}},
      axes: axes(),
      series: [
        {label: 'step'},
        {label: this.name, stroke: color(0), width: 1.5, spanGaps: false},
        {label: 'min', stroke: 'transparent', points: {show: false}},
        {label: 'max', stroke: 'transparent', points: {show: false}},
      ],
      bands: [{series: [3, 2], fill: 'rgba(31,111,209,0.15)'}],
    };
    this.plot = new uPlot(opts, this.data, this.area);
  }

  destroy() {
    this.stopResize();
    if (this.plot) this.plot.destroy();
  }
}

/** Several runs' values of one metric on one chart (compare view). */
export function overlayChart(name, runs) {
  const area = h('div', {class: 'chart-area', role: 'img', 'aria-label': `Chart of ${name} for the selected runs`});
  const legend = h('ul', {class: 'legend'}, runs.map((r, i) => h('li', {},
    h('span', {class: 'swatch', style: `background:${color(i)}`}), r.label,
    r.series ? h('span', {class: 'muted'}, ` latest ${num(lastValue(r.series))}`) : h('span', {class: 'muted'}, ' no data'))));
  const element = h('figure', {class: 'chart card', 'data-metric': name},
    h('figcaption', {}, h('span', {class: 'chart-title'}, name)), area, legend);
  const tables = runs.map(r => {
    const buckets = r.series ? r.series.buckets : [];
    return [buckets.map(b => b.step_max), buckets.map(b => plotValue(b.last))];
  });
  const data = uPlot.join(tables);
  let plot = null;
  requestAnimationFrame(() => {
    plot = new uPlot({
      width: widthOf(area), height: HEIGHT, legend: {show: false}, scales: {x: {time: false}}, axes: axes(),
      series: [{label: 'step'}, ...runs.map((r, i) => ({label: r.label, stroke: color(i), width: 1.5, spanGaps: true}))],
    }, data, area);
  });
  const stopResize = followWidth(area, () => plot);
  return {element, destroy: () => { stopResize(); if (plot) plot.destroy(); }};
}

function lastValue(series) {
  const b = series.buckets[series.buckets.length - 1];
  return b ? b.last : null;
}
