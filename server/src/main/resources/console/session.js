// Who is signed in, read once per token: pages ask canEdit() before they draw a write form, so a viewer
// sees the data without buttons that would only answer 403.

import {api, token} from './api.js';

let cached = null;
let cachedFor;

/** The caller's identity (GET /api/auth/me), or null when it cannot be read. */
export function me() {
  if (!cached || cachedFor !== token()) {
    cachedFor = token();
    cached = api('/api/auth/me').catch(() => null);
  }
  return cached;
}

/** True when the caller may write (editor or admin; a run token writes only its own run). */
export async function canEdit() {
  const who = await me();
  return Boolean(who) && (who.role === 'editor' || who.role === 'admin');
}
