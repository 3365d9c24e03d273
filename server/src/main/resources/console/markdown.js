// A tiny markdown subset for run notes, built as DOM nodes (never innerHTML, so notes cannot inject
// markup): headings (#, ##, ###), paragraphs, bullet and numbered lists, fenced code blocks, inline
// `code`, **strong**, *emphasis* / _emphasis_, and [links](https://…) whose address is http or https.

import {h} from './dom.js';

const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))/;

/** The inline parts of one line of text as nodes. */
export function inline(text) {
  const out = [];
  let rest = text;
  while (rest) {
    const m = rest.match(INLINE);
    if (!m) {
      out.push(rest);
      break;
    }
    if (m.index > 0) out.push(rest.slice(0, m.index));
    const token = m[0];
    if (m[1]) out.push(h('code', {}, token.slice(1, -1)));
    else if (m[2]) out.push(h('strong', {}, inline(token.slice(2, -2))));
    else if (m[3]) out.push(h('em', {}, inline(token.slice(1, -1))));
    else {
      const [, label, href] = token.match(/^\[([^\]]+)\]\(([^)\s]+)\)$/);
      out.push(safeUrl(href) ? h('a', {href, rel: 'noopener noreferrer nofollow', target: '_blank'}, inline(label))
        : token);
    }
    rest = rest.slice(m.index + token.length);
  }
  return out;
}

/** Only absolute http and https addresses become links (no javascript:, data: or relative ones). */
export function safeUrl(href) {
  try {
    const url = new URL(href);
    return (url.protocol === 'http:' || url.protocol === 'https:') && /^https?:\/\//i.test(href);
  } catch (e) {
    return false;
  }
}

/** Markdown text as an array of block elements. */
export function markdown(text) {
  const lines = String(text || '').replace(/\r\n?/g, '\n').split('\n');
  const blocks = [];
  let paragraph = [];
  let list = null;
  const flush = () => {
    if (paragraph.length) blocks.push(h('p', {}, paragraph.flatMap((l, i) => i ? [' ', ...inline(l)] : inline(l))));
    paragraph = [];
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^```/.test(line)) {
      flush();
      const code = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(lines[i]);
      blocks.push(h('pre', {class: 'code'}, h('code', {}, code.join('\n'))));
      continue;
    }
    const heading = line.match(/^(#{1,3})\s+(.*)$/);
    const bullet = line.match(/^\s*[-*+]\s+(.*)$/);
    const numbered = line.match(/^\s*\d+[.)]\s+(.*)$/);
    if (heading) {
      flush();
      blocks.push(h(`h${heading[1].length + 2}`, {}, inline(heading[2])));
    } else if (bullet || numbered) {
      const tag = bullet ? 'ul' : 'ol';
      if (paragraph.length) flush();
      if (!list || list.tagName.toLowerCase() !== tag) {
        list = h(tag, {});
        blocks.push(list);
      }
      list.append(h('li', {}, inline((bullet || numbered)[1])));
    } else if (!line.trim()) {
      flush();
    } else {
      list = null;
      paragraph.push(line.trim());
    }
  }
  flush();
  return blocks;
}
