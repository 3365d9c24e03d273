// Shared controls for the run page's charts. Smoothing, log scale and time axes are not built yet:
// the bar stays empty and the charts keep their plain step axis.

import {h} from './dom.js';

export class ChartControls {
  constructor(charts, reads) {
    this.charts = charts;
    this.reads = reads;
    this.options = {};
    this.element = h('div', {class: 'chart-controls', id: 'chart-controls'});
  }
}
