// The run page's read-only parts: provenance, params, event items.

import {facts, h} from './dom.js';
import {bytes, int, param, short, time, timeText} from './format.js';

export function eventItem(e) {
  const meta = Object.entries(e.metadata || {});
  return h('li', {class: `event level-${e.level}`, 'data-event-id': String(e.event_id)},
    h('span', {class: 'event-time'}, time(e.occurred_at)),
    h('span', {class: `badge level ${e.level}`}, e.level),
    h('span', {class: 'event-message'}, e.message),
    meta.length ? h('span', {class: 'event-meta muted'}, meta.map(([k, v]) => `${k}=${param(v)}`).join(' ')) : null,
    h('span', {class: 'event-actor muted'}, e.actor));
}

export function detailsText(details) {
  const entries = Object.entries(details || {});
  return entries.length ? entries.map(([k, v]) => `${k}: ${param(v)}`).join(', ') : '—';
}

export function gitText(run) {
  if (!run.git_repo && !run.git_commit) return null;
  return h('span', {}, run.git_repo || '', run.git_commit ? [' @ ', h('code', {}, run.git_commit)] : null,
    run.git_ref ? h('span', {class: 'muted'}, ` (${run.git_ref})`) : null);
}

export function paramsList(params) {
  const entries = Object.entries(params || {});
  if (!entries.length) return null;
  return h('div', {}, h('h3', {}, 'Params'),
    h('dl', {class: 'params', id: 'run-params'}, entries.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, param(v))))));
}

export function provenance(run, version, execution, build, ciContexts) {
  const digest = (build && build.image_digest) || (execution && execution.image_digest);
  const parts = [
    facts([
      ['Dataset version', version ? h('span', {},
        h('a', {href: `#/datasets/${version.dataset_id}`}, `version ${int(version.ordinal)}`),
        ` · ${version.metadata.filename || ''} · ${bytes(version.size_bytes)} · `, short(version.content_sha256, 12))
        : run.dataset_version_id ? short(run.dataset_version_id) : 'none'],
      ['Git commit', run.git_commit ? h('code', {}, run.git_commit) : 'not recorded'],
      ['Image', execution ? h('code', {}, execution.image_ref) : null],
      ['Image digest', digest ? h('a', {href: `#/images/${digest}`}, short(digest, 19)) : null],
    ], {id: 'provenance'}),
  ];
  if (build && build.pipeline_id) {
    parts.push(h('h3', {}, 'CI report'), facts([
      ['Repository', build.repo], ['Commit', build.commit_sha ? h('code', {}, build.commit_sha) : null],
      ['Pipeline', build.pipeline_id], ['Provider', build.provider], ['Received', time(build.received_at)],
    ], {id: 'ci-report'}));
  } else if (digest) {
    parts.push(h('p', {class: 'muted small'}, 'No CI report registers this image digest.'));
  }
  if (execution) {
    parts.push(h('h3', {}, 'Execution'), facts([
      ['Executor', execution.executor],
      ['Command', execution.command ? h('code', {}, execution.command.join(' ')) : null],
      ['Resources', Object.keys(execution.resources || {}).length ? detailsText(execution.resources) : null],
      ['Process id', execution.process_id], ['Container', execution.docker_container_id],
      ['Kubernetes job', execution.k8s_job_name ? `${execution.k8s_namespace}/${execution.k8s_job_name}` : null],
      ['Submitted', h('span', {}, time(execution.created_at), ` by ${execution.created_by}`)],
    ], {id: 'execution'}));
  }
  if (ciContexts.length) {
    parts.push(h('h3', {}, 'CI contexts'), h('ul', {class: 'plain'}, ciContexts.map(c => h('li', {},
      h('strong', {}, c.provider || 'unknown provider'), ' · ', timeText(c.received_at), ' · ', short(c.payload_sha256, 12)))));
  }
  return parts;
}
