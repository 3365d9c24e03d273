// Reads a run's live stream (docs/protocol.md §4.6) with fetch, so that the bearer header can be sent
// (EventSource cannot), and reconnects with Last-Event-ID after a drop.

import {authHeaders} from './api.js';

/**
 * Opens the stream and calls handlers.ready/status/series/metrics/event/error with parsed frames and
 * handlers.connection(state) with 'live', 'reconnecting' or 'closed'. handlers.query(), when given,
 * is asked on every (re)connect for extra query parameters (a URLSearchParams, e.g. the `series` to
 * open with). Returns a function that closes it for good.
 */
export function openRunStream(runId, afterEventId, handlers) {
  let lastEventId = afterEventId === null || afterEventId === undefined ? null : String(afterEventId);
  let controller = null;
  let closed = false;
  let attempt = 0;

  const notify = state => handlers.connection && handlers.connection(state);

  async function connect() {
    controller = new AbortController();
    const headers = authHeaders({Accept: 'text/event-stream'});
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    try {
      const extra = handlers.query ? handlers.query().toString() : '';
      const response = await fetch(`/api/experiments/experiment-runs/${runId}/stream${extra ? `?${extra}` : ''}`,
        {headers, signal: controller.signal, cache: 'no-store'});
      if (response.status === 401 || response.status === 403 || response.status === 404) {
        notify('closed');
        if (handlers.error) handlers.error({error: `http_${response.status}`});
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      attempt = 0;
      notify('live');
      await readFrames(response.body);
    } catch (e) {
      if (closed) return;
    }
    if (!closed) {
      notify('reconnecting');
      attempt++;
      setTimeout(() => !closed && connect(), Math.min(10_000, 500 * 2 ** Math.min(attempt, 5)));
    }
  }

  async function readFrames(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  function dispatch(frame) {
    let type = 'message';
    let id = null;
    const data = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (id) lastEventId = id;
    if (!data.length) return;
    let payload;
    try {
      payload = JSON.parse(data.join('\n'));
    } catch (e) {
      return;
    }
    const handler = handlers[type];
    if (handler) handler(payload);
  }

  connect();
  return () => {
    closed = true;
    if (controller) controller.abort();
  };
}
