// Formatting for what the API returns: numbers (NaN and infinities arrive as strings), times in the
// viewer's time zone, durations and sizes.

const plain = new Intl.NumberFormat(undefined, {maximumSignificantDigits: 6});
const integer = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});
const dateTime = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'medium'});

export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';

/** A metric value as a JS number: the API writes NaN and the infinities as JSON strings. */
export function toNumber(value) {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return value === null || value === undefined || value === '' ? null : Number(value);
}

/** A number for people: NaN as NaN, grouping for integers, 6 significant digits, exponent when huge or tiny. */
export function num(value) {
  const n = toNumber(value);
  if (n === null) return '—';
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e9 || abs < 1e-4)) return n.toExponential(4);
  return Number.isInteger(n) ? integer.format(n) : plain.format(n);
}

export function int(value) {
  return value === null || value === undefined ? '—' : integer.format(value);
}

/** A param value (any JSON): numbers formatted, strings as is, others as compact JSON. */
export function param(value) {
  if (typeof value === 'number') return num(value);
  if (typeof value === 'string') return value;
  if (value === undefined) return '—';
  return JSON.stringify(value);
}

/** An RFC 3339 time in the viewer's zone, as a <time> element whose title is the exact UTC value. */
export function time(iso) {
  if (!iso) return '—';
  const el = document.createElement('time');
  el.dateTime = iso;
  el.title = iso;
  el.textContent = dateTime.format(new Date(iso));
  return el;
}

export function timeText(iso) {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

/** Milliseconds as "2 h 03 min", "4 min 05 s", "12.3 s". */
export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const totalMin = Math.floor(s / 60);
  if (totalMin < 60) return `${totalMin} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  const hours = Math.floor(totalMin / 60);
  if (hours < 48) return `${hours} h ${String(totalMin % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** How long a run took, or has been going if it has not ended. */
export function runDuration(run) {
  if (!run.started_at) return '—';
  const end = run.ended_at ? Date.parse(run.ended_at) : Date.now();
  return duration(end - Date.parse(run.started_at));
}

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${integer.format(n)} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** The first characters of an id or hash, for tables; the full value goes in a title. */
export function short(id, length = 8) {
  if (!id) return '—';
  const el = document.createElement('code');
  el.textContent = id.length > length ? id.slice(0, length) + '…' : id;
  el.title = id;
  return el;
}

export function percent(fraction) {
  return `${(Math.max(0, Math.min(1, fraction)) * 100).toFixed(fraction < 0.1 ? 1 : 0)} %`;
}
